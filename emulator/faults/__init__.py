"""Injected faults: HTTP responses, TCP connections and in-process transports, from one registry."""

from cwmock.emulator.faults.kinds import FAULT_KINDS, Fault, HttpFaults
from cwmock.emulator.faults.registry import FaultRegistry
from cwmock.emulator.faults.scope import FaultScope, PathPattern
from cwmock.emulator.faults.sockets import SocketFault, SocketFaults
from cwmock.emulator.faults.tcp_proxy import TcpFaultProxy

__all__ = [
    "FAULT_KINDS",
    "Fault",
    "FaultRegistry",
    "FaultScope",
    "HttpFaults",
    "PathPattern",
    "SocketFault",
    "SocketFaults",
    "TcpFaultProxy",
]
