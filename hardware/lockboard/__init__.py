"""RS485 lock control boards (KR-CU16 compatible): codec, serial transport, driver.

The codec only turns frames into bytes and back; the transport only moves bytes over one
serial port; the driver adds retries, board status and the tray mapping.
"""

import logging

# A library logs; the program decides where it goes (the CLI prints only its own line).
logging.getLogger("hardware.lockboard").addHandler(logging.NullHandler())
