"""The package's import graph: layered, without circles; tools import no
other tool.

Every ``import`` statement counts, those inside functions too, since a
function-level import is how a lower layer usually sneaks a dependency on a
higher one back in.
"""
import ast
import collections
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent

#: Bottom to top. A module may import from its own unit and from units of
#: lower layers only.
LAYERS = (
    ('mlic.version', 'mlic.utils', 'mlic.registry'),
    ('mlic.datasets', 'mlic.models', 'mlic.evaluation'),
    ('mlic.engine', 'mlic.visualization'),
    ('mlic.setup_env', ),
    ('mlic.apis', ),
    ('mlic.entry_points', 'mlic.testing', 'mlic'),
)
LAYER_OF = {
    unit: index
    for index, layer in enumerate(LAYERS)
    for unit in layer
}


def module_files(package_dir: pathlib.Path) -> dict:
    """Dotted module name -> file, for every ``.py`` under the package."""
    modules = {}
    for path in package_dir.rglob('*.py'):
        parts = list(
            path.relative_to(package_dir.parent).with_suffix('').parts)
        if parts[-1] == '__init__':
            parts = parts[:-1]
        modules['.'.join(parts)] = path
    return modules


def imported_modules(name: str, path: pathlib.Path, known: dict) -> set:
    """The package's modules that ``path`` imports (absolute or relative),
    each reduced to the longest known module name."""
    package = name.split('.')
    if path.name != '__init__.py':
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                anchor = package[:len(package) - node.level + 1]
                base = '.'.join(anchor + ([base] if base else []))
            targets = [base] + [f'{base}.{a.name}' for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition('.')[0]
            if target and target != name:
                found.add(target)
    return found


def unit_of(module: str) -> str:
    """``mlic.models.heads.mlic_head`` -> ``mlic.models``."""
    return '.'.join(module.split('.')[:2])


@pytest.fixture(scope='module')
def import_graph():
    known = module_files(REPO / 'mlic')
    return {
        name: {
            target
            for target in imported_modules(name, path, known)
            # a module's own parent packages run first anyway
            if not name.startswith(target + '.')
        }
        for name, path in known.items()
    }


def test_every_unit_has_a_layer(import_graph):
    units = {unit_of(name) for name in import_graph}
    assert units - set(LAYER_OF) == set()


def test_no_import_from_a_lower_layer_to_a_higher_one(import_graph):
    wrong = [
        f'{name} imports {target}' for name, targets in import_graph.items()
        for target in targets if unit_of(name) != unit_of(target)
        and LAYER_OF[unit_of(target)] >= LAYER_OF[unit_of(name)]
    ]
    assert wrong == []


def test_no_import_circle(import_graph):
    # Tarjan's strongly connected components; any with two or more
    # modules is a circle.
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in import_graph.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in import_graph:
        if module not in index:
            visit(module)
    assert circles == []


def test_the_checks_see_a_circle_and_an_upward_import(tmp_path):
    package = tmp_path / 'mlic'
    (package / 'utils').mkdir(parents=True)
    (package / '__init__.py').write_text('')
    (package / 'utils' /
     '__init__.py').write_text('def f():\n    from mlic.apis import thing\n')
    (package / 'apis.py').write_text('from .utils import f\n')
    known = module_files(package)
    assert imported_modules('mlic.utils', package / 'utils' / '__init__.py',
                            known) == {'mlic.apis'}
    assert imported_modules('mlic.apis', package / 'apis.py',
                            known) == {'mlic.utils'}


def test_tools_import_no_other_tool():
    scripts = sorted((REPO / 'tools').rglob('*.py')) + sorted(
        (REPO / 'demo').rglob('*.py'))
    offenders = collections.defaultdict(list)
    for path in scripts:
        text = path.read_text(encoding='utf-8')
        where = str(path.relative_to(REPO))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom):
                names = ['.' if node.level else node.module or '']
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            offenders[where] += [
                name for name in names
                if name == '.' or name.split('.')[0] in ('tools', 'demo')
            ]
        # loading a sibling through the path or by file name
        if 'sys.path' in text or 'runpy' in text or \
                'spec_from_file_location' in text:
            offenders[where].append('path import')
    assert {where: names for where, names in offenders.items() if names} \
        == {}


def test_register_all_modules_at_its_old_place_says_where_it_went():
    with pytest.raises(ImportError, match='from mlic import register_all'):
        from mlic.utils import register_all_modules  # noqa: F401
    import mlic.utils
    with pytest.raises(AttributeError, match='no_such_name'):
        mlic.utils.no_such_name
