"""A scanner as ATTACHMENTS_SCANNER names one: reads the file, returns True or a reason."""


def refuse_eicar(handle):
    return "EICAR test signature" if b"EICAR" in handle.read() else True
