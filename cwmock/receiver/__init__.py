"""The webhook receiver: it stands for the user's app, records what arrives and verifies signatures."""

from cwmock.receiver.app import create_receiver_app
from cwmock.receiver.inbox import Receiver, ReceiverError, ReceiverTimeout
from cwmock.receiver.records import Arrival, Delivery
from cwmock.receiver.server import ReceiverServer, serve_receiver
from cwmock.receiver.signatures import SIGNATURE_HEADER, SignatureStatus, SignatureVerdict, sign, verify

__all__ = [
    "SIGNATURE_HEADER",
    "Arrival",
    "Delivery",
    "Receiver",
    "ReceiverError",
    "ReceiverServer",
    "ReceiverTimeout",
    "SignatureStatus",
    "SignatureVerdict",
    "create_receiver_app",
    "serve_receiver",
    "sign",
    "verify",
]
