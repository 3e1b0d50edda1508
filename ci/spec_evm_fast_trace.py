#!/usr/bin/env python3
"""`ethereum-spec-evm` with the two costs of its EIP-3155 tracer that make `t8n --trace` ten times slower than
`t8n` taken out, and nothing else changed (ci/trace-crosscheck.sh runs the spec through it).

    python3 ci/spec_evm_fast_trace.py t8n ... --trace

Measured with cProfile on Vectors/blocks/compute-n60-hot1.0 (115,000 steps; ethereum-execution 2.20.0, Python
3.11): `t8n` takes 1.6 s of CPU, `t8n --trace` 15 s. Of the traced run, about half is `isinstance(evm, Evm)` and
`isinstance(evm, EvmWithReturnData)` on every trace event: both are `typing.runtime_checkable` protocols, and
Python 3.11 recomputes a protocol's attribute set (`typing._get_protocol_attrs`) on every such check. Most of the
rest is `dataclasses.asdict` (a deep copy of each step) inside `json.dump` with a custom encoder.

1. The protocol checks give the same answer as before, from each protocol's attributes computed once and the
   answer cached per class of the object checked (the EVM objects are dataclasses: every instance of a class has
   the same attributes).
2. A step line is written from the step's fields in their declared order with the tracer's own filter
   (`_TraceJsonEncoder.retain`) and the same separators: the same bytes as `json.dump(trace, cls=_TraceJsonEncoder)`.
"""
import json
import sys
import typing

from ethereum_spec_tools.evm_tools import main
from ethereum_spec_tools.evm_tools.t8n.evm_trace import eip3155, protocols


def _fast_protocol(proto):
    attrs = tuple(sorted(typing._get_protocol_attrs(proto)))
    cache = {}

    class Meta(type):
        def __instancecheck__(cls, obj):
            t = type(obj)
            hit = cache.get(t)
            if hit is None:
                hit = all(hasattr(obj, a) for a in attrs)
                cache[t] = hit
            return hit

    return Meta(proto.__name__, (), {})


eip3155.Evm = _fast_protocol(protocols.Evm)
eip3155.EvmWithReturnData = _fast_protocol(protocols.EvmWithReturnData)

_retain = eip3155._TraceJsonEncoder.retain
_dumps = json.JSONEncoder(separators=(",", ":")).encode


def _output_op_trace(trace, json_file):
    json_file.write(_dumps({k: v for k, v in trace.__dict__.items() if _retain(k, v)}))
    json_file.write("\n")


eip3155.output_op_trace = _output_op_trace

if __name__ == "__main__":
    sys.argv[0] = "ethereum-spec-evm"
    sys.exit(main())
