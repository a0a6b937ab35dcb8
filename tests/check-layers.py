#!/usr/bin/env python3
# Checks that includes point down the layers of DESIGN.md:
#   app, cli  ->  store  ->  core;  server -> core;  core never sees GTK.
# Every #include "..." of a project header must resolve to the including
# layer or one it may use; GTK, libadwaita and libsecret are only for the
# layers that may use them.
import os
import re
import sys

ALLOWED = {
    'core': {'core'},
    'server': {'server', 'core'},
    'store': {'store', 'core'},
    'cli': {'cli', 'store', 'core'},
    'app': {'app', 'store', 'core', 'server'},
}
SYSTEM_ALLOWED = {
    'gtk/': {'app'},
    'adwaita.h': {'app'},
    'gdk/': {'app'},
    'libsecret/': {'store'},
}

src = os.path.join(sys.argv[1], 'src')
owner = {}
for layer in ALLOWED:
    folder = os.path.join(src, layer)
    if not os.path.isdir(folder):
        continue
    for name in os.listdir(folder):
        if name.endswith('.h'):
            owner[name] = layer

problems = []
checked = 0
include = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
for layer in ALLOWED:
    folder = os.path.join(src, layer)
    if not os.path.isdir(folder):
        continue
    for name in sorted(os.listdir(folder)):
        if not name.endswith(('.c', '.h')):
            continue
        path = os.path.join(folder, name)
        with open(path, encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                m = include.match(line)
                if not m:
                    continue
                checked += 1
                kind, header = m.groups()
                base = os.path.basename(header)
                if kind == '"' and base in owner and owner[base] not in ALLOWED[layer]:
                    problems.append(f'{path}:{number}: {layer} includes {header} from {owner[base]}')
                for prefix, layers in SYSTEM_ALLOWED.items():
                    if header.startswith(prefix) and layer not in layers:
                        problems.append(f'{path}:{number}: {layer} includes {header}')

for p in problems:
    print(p)
print(f'{checked} includes checked, {len(problems)} against the layers')
sys.exit(1 if problems else 0)
