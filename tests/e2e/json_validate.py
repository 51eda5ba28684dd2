#!/usr/bin/env python3
# Validate saved `devauth --json` outputs against docs/json/NAME.schema.json.
# A file NAME.<n>.json holds one JSON document, or one per line (monitor).
# The validator is the subset of JSON Schema (2020-12) the schemas use:
# type, enum, const, pattern, minimum, maximum, minLength, properties,
# required, additionalProperties, items, minItems, anyOf, $ref (#/$defs/..).
# Besides the schema, every key anywhere must be snake_case.
#
# usage: json_validate.py SCHEMA_DIR OUTPUT_DIR
import json
import os
import re
import sys

TYPES = {
    'object': lambda v: isinstance(v, dict),
    'array': lambda v: isinstance(v, list),
    'string': lambda v: isinstance(v, str),
    'integer': lambda v: isinstance(v, int) and not isinstance(v, bool),
    'number': lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    'boolean': lambda v: isinstance(v, bool),
    'null': lambda v: v is None,
}
KNOWN = {'$schema', '$id', '$defs', 'title', 'description', 'type', 'enum', 'const',
         'pattern', 'minimum', 'maximum', 'minLength', 'properties', 'required',
         'additionalProperties', 'items', 'minItems', 'anyOf', '$ref', 'format'}
SNAKE = re.compile(r'^[a-z][a-z0-9_]*$')


def check(v, s, root, path, errs):
    unknown = set(s) - KNOWN
    if unknown:
        raise SystemExit('schema at %s uses unsupported keywords %s' % (path, sorted(unknown)))
    if '$ref' in s:
        ref = s['$ref']
        if not ref.startswith('#/$defs/'):
            raise SystemExit('only local $refs: %s' % ref)
        check(v, root['$defs'][ref[len('#/$defs/'):]], root, path, errs)
    if 'type' in s:
        ts = s['type'] if isinstance(s['type'], list) else [s['type']]
        if not any(TYPES[t](v) for t in ts):
            errs.append('%s: %r is not %s' % (path, v, '/'.join(ts)))
            return
    if 'enum' in s and v not in s['enum']:
        errs.append('%s: %r not one of %r' % (path, v, s['enum']))
    if 'const' in s and v != s['const']:
        errs.append('%s: %r is not %r' % (path, v, s['const']))
    if isinstance(v, str):
        if 'pattern' in s and not re.search(s['pattern'], v):
            errs.append('%s: %r does not match %s' % (path, v, s['pattern']))
        if len(v) < s.get('minLength', 0):
            errs.append('%s: %r is too short' % (path, v))
    if TYPES['number'](v):
        if 'minimum' in s and v < s['minimum']:
            errs.append('%s: %r < %r' % (path, v, s['minimum']))
        if 'maximum' in s and v > s['maximum']:
            errs.append('%s: %r > %r' % (path, v, s['maximum']))
    if isinstance(v, dict):
        props = s.get('properties', {})
        for k in s.get('required', []):
            if k not in v:
                errs.append('%s: "%s" is missing' % (path, k))
        for k, x in v.items():
            if k in props:
                check(x, props[k], root, '%s.%s' % (path, k), errs)
            elif s.get('additionalProperties') is False:
                errs.append('%s: "%s" is not in the schema' % (path, k))
            elif isinstance(s.get('additionalProperties'), dict):
                check(x, s['additionalProperties'], root, '%s.%s' % (path, k), errs)
    if isinstance(v, list):
        if len(v) < s.get('minItems', 0):
            errs.append('%s: fewer than %d items' % (path, s['minItems']))
        if 'items' in s:
            for i, x in enumerate(v):
                check(x, s['items'], root, '%s[%d]' % (path, i), errs)
    if 'anyOf' in s:
        for alt in s['anyOf']:
            e = []
            check(v, alt, root, path, e)
            if not e:
                break
        else:
            errs.append('%s: matches none of anyOf' % path)


def keys_snake(v, path, errs, free=False):
    if isinstance(v, dict):
        for k, x in v.items():
            if not free and not SNAKE.match(k):
                errs.append('%s: key "%s" is not snake_case' % (path, k))
            keys_snake(x, '%s.%s' % (path, k), errs)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            keys_snake(x, '%s[%d]' % (path, i), errs)


def documents(path):
    text = open(path).read()
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return [json.loads(l) for l in text.splitlines() if l.strip()]


def main():
    sdir, odir = sys.argv[1], sys.argv[2]
    n = bad = 0
    seen = set()
    for f in sorted(os.listdir(odir)):
        name = f.split('.')[0]
        spath = os.path.join(sdir, name + '.schema.json')
        if not os.path.exists(spath):
            print('%s: no schema %s' % (f, spath))
            bad += 1
            continue
        schema = json.load(open(spath))
        seen.add(name)
        try:
            docs = documents(os.path.join(odir, f))
        except json.JSONDecodeError as e:
            print('%s: not JSON: %s' % (f, e))
            bad += 1
            continue
        for d in docs:
            errs = []
            check(d, schema, schema, '$', errs)
            keys_snake(d, '$', errs)
            n += 1
            if errs:
                bad += 1
                print('%s: %s' % (f, '; '.join(errs[:8])))
    print('%d documents of %d schemas checked (%s), %d bad' % (n, len(seen),
          ', '.join(sorted(seen)), bad))
    unused = {s.split('.')[0] for s in os.listdir(sdir)} - seen
    if unused:
        print('schemas with no output checked: %s' % ', '.join(sorted(unused)))
        bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
