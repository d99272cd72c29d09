"""Answering whether a certificate or credential is genuine: the QR page's verdict, status
lists, the VC-API.
"""
