"""An import-linter contract of our own: no circle of imports between modules (files), counting
imports inside functions too. `lint-imports` loads it through `contract_types` in pyproject.toml.

import-linter's ``acyclic_siblings`` compares packages; this compares the files themselves, so a
circle that runs through two files of one package is found as well."""

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class AcyclicModulesContract(Contract):
    type_name = "acyclic_modules"
    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose):
        modules = sorted(
            m for m in graph.modules if any(m == p or m.startswith(p + ".") for p in self.packages)
        )
        cycles = strongly_connected(modules, graph.find_modules_directly_imported_by)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check):
        for cycle in check.metadata["cycles"]:
            output.print_error("These modules import each other in a circle:", bold=True)
            for module in cycle:
                output.print_error(f"- {module}")
            output.new_line()


def strongly_connected(nodes, edges):
    """Tarjan's algorithm, without recursion: the groups of two or more nodes that reach each
    other."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = 0
    wanted = set(nodes)
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges(root) & wanted)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges(child) & wanted))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups
