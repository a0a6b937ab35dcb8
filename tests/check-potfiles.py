#!/usr/bin/env python3
# Fails when a file that marks strings for translation is missing from
# po/POTFILES.in, or when POTFILES.in names a file that does not exist.
import os
import re
import sys

top = sys.argv[1]
marks = re.compile(r'(\b(?:_|N_|C_|NC_)\s*\(|\bngettext\s*\(|\bg_dngettext\s*\(|translatable="yes")')

with open(os.path.join(top, 'po', 'POTFILES.in'), encoding='utf-8') as f:
    listed = [l.strip() for l in f if l.strip() and not l.startswith('#')]

problems = []
for name in listed:
    if not os.path.exists(os.path.join(top, name)):
        problems.append(f'po/POTFILES.in names {name}, which does not exist')
if listed != sorted(listed):
    problems.append('po/POTFILES.in is not sorted')

found = []
for folder in ('src', 'data'):
    for root, dirs, files in os.walk(os.path.join(top, folder)):
        for name in files:
            if not name.endswith(('.c', '.ui', '.in', '.xml')):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, top)
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read()
            if name.endswith(('.c', '.ui')) and marks.search(text):
                found.append(rel)
for rel in sorted(found):
    if rel not in listed:
        problems.append(f'{rel} marks strings for translation but is not in po/POTFILES.in')

for p in problems:
    print(p)
print(f'{len(found)} source files mark strings, {len(listed)} listed, {len(problems)} problems')
sys.exit(1 if problems else 0)
