"""Other forms of an issued credential: its plain-language reading, PDF, QR, ELM, badge images, sharing."""
