#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the netlink API has one description.

Documentation/netlink/specs/hlb.yaml (YNL, genetlink-legacy) is the
description; include/uapi/linux/hlb.h and the attribute tables of
Documentation/netlink.rst must agree with it:

  * the header: every define the spec names (family, version, multicast
    group, constants), and every enum -- its name, its members in order,
    their values, the count member and the MAX define -- with the doc
    strings (the comments; an attribute's is "<type>: <doc>"), and no enum
    the spec does not describe;
  * netlink.rst: the family, its version and group, every command, and
    one table row per attribute, "``NAME``  type  meaning", whose type is
    the spec's.

Prints the first mismatch and exits 1; exits 0, saying what it checked,
when everything agrees. `make netlink-check` runs it; so do `make style`
and `make check`. Needs python3-yaml.

    netlink_check.py [--spec FILE] [--header FILE] [--rst FILE]
"""

import argparse
import os
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit("netlink_check: needs python3-yaml (make deps)")

TOP = os.path.normpath(os.path.join(os.path.dirname(__file__), '..'))

# Attribute types as the header's comments and netlink.rst's tables write
# them.
HEADER_TYPES = {'u8', 'u16', 'u32', 'u64', 'binary', 'string', 'nest'}
RST_TYPES = {'u8': 'u8', 'u16': 'u16', 'u32': 'u32', 'u64': 'u64',
             'bin': 'binary', 'string': 'string', 'nest': 'nest'}


class Mismatch(Exception):
    pass


def c_upper(name):
    return name.upper().replace('-', '_')


def fold(text):
    """Whitespace folded, so that line breaks do not matter."""
    return ' '.join((text or '').split())


def comment_text(comment):
    """The text of a C comment, without its markers and leading stars."""
    body = comment[2:-2]
    lines = [re.sub(r'^\s*\*', '', line) for line in body.split('\n')]
    return fold('\n'.join(lines))


class Enum:
    def __init__(self, name, doc, members):
        self.name = name
        self.doc = doc          # the block comment just above, folded
        self.members = members  # [(name, value, comment)], in order


class Header:
    """What netlink_check needs from a uapi header: defines and enums."""

    def __init__(self, path):
        with open(path, encoding='utf-8') as f:
            self.text = f.read()
        self.path = path
        self.defines = {}
        for m in re.finditer(r'^#define[ \t]+(\w+)[ \t]+(.+?)[ \t]*'
                             r'(?:/\*.*\*/)?[ \t]*$', self.text, re.M):
            self.defines[m.group(1)] = m.group(2).strip()
        self.enums = {}
        for m in re.finditer(r'(/\*(?:(?!\*/).)*\*/\s*)?enum (\w+) \{(.*?)\};',
                             self.text, re.S):
            doc = comment_text(m.group(1).strip()) if m.group(1) else ''
            self.enums[m.group(2)] = Enum(m.group(2), doc,
                                          self._members(m.group(3)))
        self.commands = self._commands()

    @staticmethod
    def _members(body):
        members = []
        value = -1
        tok = re.compile(r'(?P<c>/\*.*?\*/)|(?P<n>\w+)'
                         r'(?:\s*=\s*(?P<v>[^,/\n]+?))?\s*(?:,|$)', re.S | re.M)
        for m in tok.finditer(body):
            if m.group('c'):
                if not members:
                    raise Mismatch('comment before the first member')
                name, val, _ = members[-1]
                members[-1] = (name, val, comment_text(m.group('c')))
                continue
            value = int(m.group('v'), 0) if m.group('v') else value + 1
            members.append((m.group('n'), value, None))
        return members

    def _commands(self):
        """HLB_CMD_X: doc paragraphs of the file's first comment."""
        first = next((c for c in re.findall(r'/\*.*?\*/', self.text, re.S)
                      if 'HLB_CMD_' in c), '/**/')
        lines = [re.sub(r'^\s*\*', '', line)
                 for line in first[2:-2].split('\n')]
        docs = {}
        para = []
        for line in lines + ['']:
            # A paragraph ends at a blank line or the next command.
            if line.strip() and not (para and
                                     line.startswith(' HLB_CMD_')):
                para.append(line)
                continue
            m = re.match(r'((?:HLB_CMD_\w+)(?: / HLB_CMD_\w+)*): (.*)',
                         fold(' '.join(para)))
            if m:
                for name in m.group(1).split(' / '):
                    docs[name] = m.group(2)
            para = [line] if line.strip() else []
        return docs


class Checker:
    def __init__(self, spec, header, rst_path):
        self.spec = spec
        self.h = header
        self.rst_path = rst_path
        self.family = spec['name']
        self.seen_enums = set()
        self.attrs = {}     # C name -> (type, set name)
        self.count = 0

    def fail(self, what):
        raise Mismatch(what)

    def expect(self, what, got, want):
        self.count += 1
        if got != want:
            self.fail(f'{what}: header has {got!r}, spec says {want!r}')

    def define(self, name, want):
        if name not in self.h.defines:
            self.fail(f'#define {name}: not in the header, spec names it')
        self.expect(f'#define {name}', self.h.defines[name], want)

    def enum(self, name):
        if name not in self.h.enums:
            self.fail(f'enum {name}: not in the header, spec describes it')
        self.seen_enums.add(name)
        return self.h.enums[name]

    def members(self, enum, want):
        """want: [(C name, value, doc check or None)], the count last."""
        got = enum.members
        for i, (name, value, check) in enumerate(want):
            if i >= len(got):
                self.fail(f'enum {enum.name}: ends before {name} '
                          f'(spec has {len(want)} members, header '
                          f'{len(got)})')
            gname, gvalue, gcomment = got[i]
            self.expect(f'enum {enum.name} member {i}', gname, name)
            self.expect(f'{name} value', gvalue, value)
            if check:
                check(name, gcomment)
        if len(got) > len(want):
            self.fail(f'enum {enum.name}: {got[len(want)][0]} is not in the '
                      f'spec')

    def plain_doc(self, want):
        def check(name, comment):
            self.expect(f'{name} comment', comment or '', fold(want))
        return check

    def max_define(self, cnt, maxname):
        self.define(maxname, f'({cnt} - 1)')

    def check_family(self):
        s = self.spec
        self.define(c_upper(s['c-family-name']), f'"{self.family}"')
        self.define(c_upper(s['c-version-name']), str(s.get('version', 1)))
        for grp in s['mcast-groups']['list']:
            name = c_upper(grp.get('c-define-name',
                                   f"{self.family}-mcgrp-{grp['name']}"))
            self.define(name, f'"{grp["name"]}"')

    def check_definitions(self):
        for d in self.spec.get('definitions', []):
            if d['type'] == 'const':
                name = c_upper(f"{self.family}-{d['name']}")
                self.define(name, str(d['value']))
                continue
            if d['type'] != 'enum':
                self.fail(f"definition {d['name']}: type {d['type']} is not "
                          f"checked; teach netlink_check.py")
            ename = d.get('enum-name', f"{self.family}_{d['name']}")
            ename = ename.replace('-', '_')
            prefix = c_upper(d.get('name-prefix',
                                   f"{self.family}-{d['name']}-"))
            enum = self.enum(ename)
            value = d.get('value-start', 0)
            # Either kernel-doc ("enum NAME - doc", then "@MEMBER: doc"
            # lines) or trailing comments.
            kdoc = {}
            doc = enum.doc
            if doc.startswith(f'enum {ename} - '):
                parts = re.split(r' @(\w+): ', ' ' + doc[len(ename) + 8:])
                doc = parts[0].strip()
                kdoc = dict(zip(parts[1::2], (p.strip() for p in parts[2::2])))
            self.expect(f'enum {ename} doc', doc, fold(d.get('doc')))
            want = []
            for e in d['entries']:
                if isinstance(e, str):
                    e = {'name': e}
                value = e.get('value', value)
                cname = prefix + c_upper(e['name'])
                edoc = fold(e.get('doc'))
                if kdoc:
                    self.expect(f'{cname} kernel-doc', kdoc.pop(cname, ''),
                                edoc)
                    check = self.plain_doc('')
                else:
                    check = self.plain_doc(edoc)
                want.append((cname, value, check))
                value += 1
            if kdoc:
                self.fail(f'enum {ename}: kernel-doc names {min(kdoc)}, '
                          f'not in the spec')
            if d.get('render-max'):
                cnt = f'__{prefix}MAX'
                want.append((cnt, value, None))
                self.members(enum, want)
                self.max_define(cnt, f'{prefix}MAX')
            else:
                self.members(enum, want)

    def attr_check(self, aset, attr, sets, enums):
        """The comment "<type>: <doc>" of an attribute, or "<doc>"."""
        def check(name, comment):
            comment = comment or ''
            m = re.match(r'(\w+)(?:: (.*))?$', comment)
            if m and m.group(1) in HEADER_TYPES:
                ctype, doc = m.group(1), m.group(2) or ''
                self.expect(f'{name} type (comment)', ctype, attr['type'])
            else:
                doc = comment
            self.expect(f'{name} doc (comment)', doc, fold(attr.get('doc')))
            # A nest names its attributes' enum; an enum value its enum.
            ref = None
            if attr['type'] == 'nest':
                ref = sets[attr['nested-attributes']]
            elif 'enum' in attr:
                ref = enums[attr['enum']]
            named = re.findall(r'enum (\w+)', doc)
            self.expect(f'{name}: the enum its doc names', named[:1],
                        [ref] if ref else [])
        return check

    def check_attribute_sets(self):
        sets = {}
        for a in self.spec['attribute-sets']:
            sets[a['name']] = a.get('enum-name',
                                    f"{self.family}-{a['name']}-attrs")
            sets[a['name']] = sets[a['name']].replace('-', '_')
        enums = {d['name']: d.get('enum-name',
                                  f"{self.family}_{d['name']}")
                 for d in self.spec.get('definitions', [])
                 if d['type'] == 'enum'}
        for a in self.spec['attribute-sets']:
            prefix = c_upper(a.get('name-prefix',
                                   f"{self.family}-{a['name']}-a-"))
            enum = self.enum(sets[a['name']])
            self.expect(f'enum {enum.name} doc', enum.doc, fold(a.get('doc')))
            value = 1
            want = []
            for attr in a['attributes']:
                value = attr.get('value', value)
                cname = prefix + c_upper(attr['name'])
                if attr['type'] in ('unused', 'pad'):
                    check = self.plain_doc(attr.get('doc', ''))
                else:
                    check = self.attr_check(a, attr, sets, enums)
                    self.attrs[cname] = (attr['type'], a['name'])
                want.append((cname, value, check))
                value += 1
            cnt = c_upper(a.get('attr-cnt-name', f'__{prefix}MAX'))
            want.append((cnt, value, None))
            self.members(enum, want)
            self.max_define(cnt, c_upper(a.get('attr-max-name',
                                               f'{prefix}MAX')))

    def check_operations(self):
        ops = self.spec['operations']
        prefix = c_upper(ops.get('name-prefix', f'{self.family}-cmd-'))
        enum = self.enum(ops.get('enum-name', f'{self.family}_cmd'))
        setnames = {a['name']: {x['name'] for x in a['attributes']}
                    for a in self.spec['attribute-sets']}
        groups = {g['name'] for g in self.spec['mcast-groups']['list']}
        want = [(prefix + 'UNSPEC', 0, self.plain_doc(''))]
        value = 1
        for op in ops['list']:
            value = op.get('value', value)
            cname = prefix + c_upper(op['name'])
            doc = fold(op['doc'])
            self.expect(f'{cname} doc (the header\'s first comment)',
                        self.h.commands.get(cname), doc)

            def check(name, comment, doc=doc):
                if comment and comment.lower() not in doc.lower():
                    self.fail(f'{name}: comment "{comment}" is not in the '
                              f'spec\'s doc "{doc}"')
            want.append((cname, value, check))
            value += 1
            known = setnames[op['attribute-set']]
            for kind in ('do', 'dump'):
                for msg in ('request', 'reply'):
                    for name in (op.get(kind) or {}).get(msg, {}).get(
                            'attributes', []):
                        if name not in known:
                            self.fail(f'spec: {op["name"]} {kind} {msg}: no '
                                      f'attribute {name} in set '
                                      f'{op["attribute-set"]}')
            if 'mcgrp' in op and op['mcgrp'] not in groups:
                self.fail(f'spec: {op["name"]}: no multicast group '
                          f'{op["mcgrp"]}')
        cnt = f'__{prefix}MAX'
        want.append((cnt, value, None))
        self.members(enum, want)
        self.max_define(cnt, f'{prefix}MAX')
        self.commands = [w[0] for w in want[1:-1]]

    def check_header_has_nothing_else(self):
        extra = sorted(set(self.h.enums) - self.seen_enums)
        if extra:
            self.fail(f'enum {extra[0]}: in the header, not in the spec')

    def check_rst(self):
        with open(self.rst_path, encoding='utf-8') as f:
            text = f.read()
        where = os.path.relpath(self.rst_path)
        s = self.spec
        intro = (f"generic netlink family ``{self.family}`` "
                 f"(version {s.get('version', 1)})")
        if intro not in fold(text):
            self.fail(f'{where}: does not say "{intro}"')
        for grp in s['mcast-groups']['list']:
            if f"multicast group, ``{grp['name']}``" not in fold(text):
                self.fail(f'{where}: does not name the multicast group '
                          f'``{grp["name"]}``')
        for cmd in self.commands:
            if f'``{cmd}``' not in text:
                self.fail(f'{where}: command {cmd} is not documented')
        m = re.search(r'^Attributes\n=+\n(.*?)(?=^\S[^\n]*\n=+\n|\Z)', text,
                      re.S | re.M)
        if not m:
            self.fail(f'{where}: no "Attributes" section')
        rows = {}
        for line in m.group(1).split('\n'):
            r = re.match(r'``(\w+)``\s+(\S+)(\s|$)', line)
            if not r:
                continue
            name, rtype = r.group(1), r.group(2)
            if name in rows:
                self.fail(f'{where}: {name} has two rows')
            if name not in self.attrs:
                self.fail(f'{where}: {name} is not an attribute of the spec')
            if RST_TYPES.get(rtype) != self.attrs[name][0]:
                self.fail(f'{where}: {name} is "{rtype}", the spec says '
                          f'{self.attrs[name][0]}')
            rows[name] = rtype
            self.count += 1
        missing = [a for a in self.attrs if a not in rows]
        if missing:
            self.fail(f'{where}: no table row for {missing[0]} (section '
                      f'Attributes, "``{missing[0]}``  type  meaning")')

    def run(self):
        self.check_family()
        self.check_definitions()
        self.check_attribute_sets()
        self.check_operations()
        self.check_header_has_nothing_else()
        self.check_rst()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--spec', default=os.path.join(
        TOP, 'Documentation/netlink/specs/hlb.yaml'))
    ap.add_argument('--header', default=os.path.join(
        TOP, 'include/uapi/linux/hlb.h'))
    ap.add_argument('--rst', default=os.path.join(
        TOP, 'Documentation/netlink.rst'))
    args = ap.parse_args()
    try:
        with open(args.spec, encoding='utf-8') as f:
            spec = yaml.safe_load(f)
        header = Header(args.header)
        checker = Checker(spec, header, args.rst)
        checker.run()
    except Mismatch as e:
        print(f'netlink_check: {e}', file=sys.stderr)
        print(f'netlink_check: {os.path.relpath(args.spec)}, '
              f'{os.path.relpath(args.header)} and '
              f'{os.path.relpath(args.rst)} must describe the same API',
              file=sys.stderr)
        return 1
    except (KeyError, TypeError) as e:
        print(f'netlink_check: {os.path.relpath(args.spec)}: malformed '
              f'spec ({e!r})', file=sys.stderr)
        return 1
    print(f'netlink_check: spec, header and netlink.rst agree '
          f'({len(header.enums)} enums, {len(checker.attrs)} attributes, '
          f'{len(checker.commands)} commands, {checker.count} checks)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
