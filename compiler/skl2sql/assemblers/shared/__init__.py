"""Math several assembler families share; registers nothing."""
