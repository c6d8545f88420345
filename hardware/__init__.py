"""Hardware abstraction layer: ports (Protocols) and the drivers that implement them."""
