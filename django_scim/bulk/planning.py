"""The order operations run in: the request's, changed only as far as references require.

RFC 7644 §3.7.2: a client may refer to a resource created later in the
request; the service provider runs the creating POST first. Operations are
grouped into strongly connected components of the "refers to" graph (a
component of more than one, or one referring to itself, is a circular
reference, §3.7.1); components run in the request's order, except that one
referred to moves up to run just before its first referrer. Iterative
throughout: a chain of a thousand references needs no recursion.
"""

from __future__ import annotations

from dataclasses import dataclass

from django_scim.bulk import references
from django_scim.bulk.requests import Operation


@dataclass
class Step:
    """Operations that run together: one, or the members of a circular reference."""

    operations: list[Operation]
    circular: bool


def plan(operations: list[Operation]) -> list[Step]:
    declared = {op.bulk_id: op.index for op in operations if op.bulk_id and op.method == "POST"}
    edges: list[list[int]] = []
    for op in operations:
        if op.error is None:
            op.references = references.in_path(op.path) | references.in_value(op.data)
        edges.append(sorted({declared[ref] for ref in op.references if ref in declared}))
    components = strongly_connected(edges)
    return ordered(operations, edges, components)


def strongly_connected(edges: list[list[int]]) -> list[int]:
    """The component of each node (Tarjan's algorithm, without recursion)."""
    tarjan = _Tarjan(edges)
    for root in range(len(edges)):
        if tarjan.index[root] == -1:
            tarjan.visit(root)
    return tarjan.component


class _Tarjan:
    def __init__(self, edges: list[list[int]]) -> None:
        count = len(edges)
        self.edges = edges
        self.index = [-1] * count
        self.low = [0] * count
        self.component = [-1] * count
        self.on_stack = [False] * count
        self.stack: list[int] = []
        self.counter = self.found = 0

    def visit(self, root: int) -> None:
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                self._enter(node)
            if child < len(self.edges[node]):
                work.append((node, child + 1))
                target = self.edges[node][child]
                if self.index[target] == -1:
                    work.append((target, 0))
                elif self.on_stack[target]:
                    self.low[node] = min(self.low[node], self.index[target])
                continue
            self._leave(node)
            if work:
                parent = work[-1][0]
                self.low[parent] = min(self.low[parent], self.low[node])

    def _enter(self, node: int) -> None:
        self.index[node] = self.low[node] = self.counter
        self.counter += 1
        self.stack.append(node)
        self.on_stack[node] = True

    def _leave(self, node: int) -> None:
        if self.low[node] != self.index[node]:
            return
        while True:
            member = self.stack.pop()
            self.on_stack[member] = False
            self.component[member] = self.found
            if member == node:
                break
        self.found += 1


def ordered(
    operations: list[Operation], edges: list[list[int]], component: list[int]
) -> list[Step]:
    """Components in request order, except that the components one refers to are run
    just before it (scim2-server's rule: a POST moves up to its first referrer; nothing
    else moves)."""
    members: dict[int, list[int]] = {}
    for node, comp in enumerate(component):
        members.setdefault(comp, []).append(node)
    needs: dict[int, list[int]] = {}
    for comp, nodes in members.items():
        targets = {component[t] for node in nodes for t in edges[node]} - {comp}
        needs[comp] = sorted(targets, key=lambda other: members[other][0])
    steps: list[Step] = []
    emitted: set[int] = set()
    for comp in sorted(members, key=lambda c: members[c][0]):
        stack = [(comp, 0)]
        while stack:
            current, child = stack.pop()
            if current in emitted:
                continue
            if child < len(needs[current]):
                stack.append((current, child + 1))
                stack.append((needs[current][child], 0))
                continue
            emitted.add(current)
            nodes = members[current]
            circular = len(nodes) > 1 or nodes[0] in edges[nodes[0]]
            steps.append(Step([operations[node] for node in nodes], circular))
    return steps
