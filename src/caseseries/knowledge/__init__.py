"""Clinical knowledge: RECIST 1.1, ALK resistance mutations, BSA dosing, variant checks."""
