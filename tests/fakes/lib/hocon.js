// SPDX-License-Identifier: GPL-3.0-or-later
//
// A HOCON reader with the rules of the pyhocon that clearml-agent vendors
// (clearml_agent/external/pyhocon/config_parser.py), for the fake agent's clearml.conf:
//   - quoted strings: "..." on one line; only \\ \n \r \t \" \= \# \! are unescaped
//     (REPLACEMENTS, config_parser.py:183-193); any other backslash pair (\b, \u0041)
//     stays as those two characters;
//   - unquoted strings run to a newline, ',', '}', ']', '#' or '//' and are trimmed;
//     true/false/null/numbers are typed;
//   - """multi-line""" strings, verbatim;
//   - objects { }, arrays [ ], keys with dots (a.b.c: v), separators ':' '=' or none
//     before '{'; fields separated by newlines or ','; comments # and //;
//   - a repeated key: objects merge, anything else is replaced;
//   - ${path} / ${?path}: resolved against the config, then the environment; an
//     unresolved ${path} is an error, an unresolved ${?path} drops the field;
//   - include: not supported (an error).
// parse(text, env) returns a plain object or throws HoconError (message with line:column).
'use strict';

class HoconError extends Error {}

const REPLACEMENTS = {
  '\\\\': '\\',
  '\\\n': '\n',
  '\\n': '\n',
  '\\r': '\r',
  '\\t': '\t',
  '\\=': '=',
  '\\#': '#',
  '\\!': '!',
  '\\"': '"',
};

function unescape (s) {
  return s.replace(/\\[\s\S]/g, (m) => (m in REPLACEMENTS ? REPLACEMENTS[m] : m));
}

class Substitution {
  constructor (path, optional) {
    this.path = path;
    this.optional = optional;
  }
}

class Parser {
  constructor (text) {
    this.text = text;
    this.i = 0;
  }

  where () {
    const before = this.text.slice(0, this.i);
    const line = before.split('\n').length;
    const col = this.i - before.lastIndexOf('\n');
    return `line ${line}, column ${col}`;
  }

  fail (msg) {
    throw new HoconError(`${msg} (${this.where()})`);
  }

  peek (n = 0) {
    return this.text[this.i + n];
  }

  startsWith (s) {
    return this.text.startsWith(s, this.i);
  }

  // Spaces and tabs only; with newlines: also newlines and comments.
  skip (newlines) {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || c === '\ufeff') {
        this.i++;
      } else if (newlines && c === '\n') {
        this.i++;
      } else if (c === '#' || this.startsWith('//')) {
        while (this.i < this.text.length && this.peek() !== '\n') this.i++;
      } else {
        return;
      }
    }
  }

  parseDocument () {
    this.skip(true);
    let root;
    if (this.peek() === '{') {
      root = this.parseObject();
    } else if (this.peek() === '[') {
      this.fail('a top-level array is not a configuration');
    } else {
      root = this.parseFields('');
    }
    this.skip(true);
    if (this.i < this.text.length) this.fail(`unexpected '${this.peek()}'`);
    return root;
  }

  parseObject () {
    this.i++; // {
    const obj = this.parseFields('}');
    if (this.peek() !== '}') this.fail("expected '}'");
    this.i++;
    return obj;
  }

  // Fields until `end` ('}' or '' for the end of the text).
  parseFields (end) {
    const obj = {};
    for (;;) {
      this.skip(true);
      if (this.i >= this.text.length) {
        if (end) this.fail(`expected '${end}' before the end`);
        return obj;
      }
      if (end && this.peek() === end) return obj;
      if (this.peek() === ',') {
        this.i++;
        continue;
      }
      if (this.startsWith('include ') || this.startsWith('include"')) this.fail('include is not supported');
      const path = this.parseKey();
      this.skip(false);
      let value;
      if (this.peek() === '{') {
        value = this.parseObject();
      } else if (this.peek() === ':' || this.peek() === '=') {
        this.i++;
        this.skip(false);
        value = this.parseValue();
      } else if (this.startsWith('+=')) {
        this.fail('+= is not supported');
      } else {
        this.fail(`expected ':', '=' or '{' after the key '${path.join('.')}'`);
      }
      setPath(obj, path, value);
      this.skip(false);
      const c = this.peek();
      if (c !== undefined && c !== '\n' && c !== ',' && c !== end && c !== '#' && !this.startsWith('//')) {
        this.fail(`unexpected '${c}' after the value of '${path.join('.')}'`);
      }
    }
  }

  parseKey () {
    const parts = [];
    let cur = '';
    let any = false;
    for (;;) {
      const c = this.peek();
      if (c === '"') {
        const m = /^"((?:[^"\\\n]|\\.)*)"/.exec(this.text.slice(this.i));
        if (!m) this.fail('unterminated quoted key');
        cur += unescape(m[1]);
        this.i += m[0].length;
        any = true;
      } else if (c !== undefined && /[A-Za-z0-9_\-/$@~^*+?!&|%]/.test(c)) {
        cur += c;
        this.i++;
        any = true;
      } else if (c === '.') {
        if (!any) this.fail('empty key segment');
        parts.push(cur);
        cur = '';
        any = false;
        this.i++;
      } else {
        break;
      }
    }
    if (!any) this.fail(c2s(this.peek()) + ' is not a key');
    parts.push(cur);
    return parts;
  }

  parseValue () {
    const c = this.peek();
    if (c === '{') return this.parseObject();
    if (c === '[') return this.parseArray();
    // A value may be a concatenation of pieces on one line.
    const pieces = [];
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || ch === '\n' || ch === ',' || ch === '}' || ch === ']' || ch === '#' || this.startsWith('//')) break;
      if (this.startsWith('"""')) {
        const end = this.text.indexOf('"""', this.i + 3);
        if (end < 0) this.fail('unterminated """ string');
        pieces.push({ quoted: true, s: this.text.slice(this.i + 3, end) });
        this.i = end + 3;
      } else if (ch === '"') {
        const m = /^"((?:[^"\\\n]|\\.)*)"/.exec(this.text.slice(this.i));
        if (!m) this.fail('unterminated quoted string (a quoted string cannot span lines)');
        pieces.push({ quoted: true, s: unescape(m[1]) });
        this.i += m[0].length;
      } else if (this.startsWith('${')) {
        const end = this.text.indexOf('}', this.i);
        if (end < 0) this.fail('unterminated ${');
        let inner = this.text.slice(this.i + 2, end);
        const optional = inner.startsWith('?');
        if (optional) inner = inner.slice(1);
        pieces.push({ sub: new Substitution(inner.trim(), optional) });
        this.i = end + 1;
      } else {
        const m = /^(?:[^^`+?!@*&"[{\s\]}#,=$\\]|\\.)+/.exec(this.text.slice(this.i));
        if (!m) this.fail(`unexpected '${ch}' in a value`);
        pieces.push({ quoted: false, s: unescape(m[0]) });
        this.i += m[0].length;
      }
      const ws = /^[ \t]*/.exec(this.text.slice(this.i))[0];
      this.i += ws.length;
      const next = this.peek();
      if (next !== undefined && next !== '\n' && next !== ',' && next !== '}' && next !== ']' && next !== '#' && !this.startsWith('//')) {
        pieces.push({ quoted: true, s: ws });
      }
    }
    if (pieces.length === 0) this.fail('a value is missing');
    if (pieces.length === 1 && pieces[0].sub) return pieces[0].sub;
    if (pieces.length === 1 && !pieces[0].quoted) return typed(pieces[0].s.trim());
    if (pieces.some((p) => p.sub)) return { concat: pieces };
    return pieces.map((p) => p.s).join('');
  }

  parseArray () {
    this.i++; // [
    const out = [];
    for (;;) {
      this.skip(true);
      if (this.peek() === ']') {
        this.i++;
        return out;
      }
      if (this.peek() === ',') {
        this.i++;
        continue;
      }
      if (this.i >= this.text.length) this.fail("expected ']'");
      out.push(this.parseValue());
    }
  }
}

function c2s (c) {
  return c === undefined ? 'the end' : `'${c}'`;
}

function typed (s) {
  if (s === 'true' || s === 'yes' || s === 'on') return true;
  if (s === 'false' || s === 'no' || s === 'off') return false;
  if (s === 'null') return null;
  if (/^-?\d+$/.test(s)) return parseInt(s, 10);
  if (/^-?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return parseFloat(s);
  return s;
}

function isObject (v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Substitution) && !('concat' in v);
}

function setPath (obj, path, value) {
  let o = obj;
  for (let k = 0; k < path.length - 1; k++) {
    if (!isObject(o[path[k]])) o[path[k]] = {};
    o = o[path[k]];
  }
  const last = path[path.length - 1];
  if (isObject(o[last]) && isObject(value)) {
    for (const [k, v] of Object.entries(value)) setPath(o[last], [k], v);
  } else {
    o[last] = value;
  }
}

function lookup (root, path) {
  let o = root;
  for (const p of path.split('.')) {
    if (!isObject(o) || !(p in o)) return undefined;
    o = o[p];
  }
  return o;
}

function resolve (root, env) {
  const sub = (s) => {
    const v = lookup(root, s.path);
    if (v !== undefined && !(v instanceof Substitution)) return v;
    if (env && Object.prototype.hasOwnProperty.call(env, s.path)) return env[s.path];
    if (s.optional) return undefined;
    throw new HoconError(`unresolved substitution \${${s.path}}`);
  };
  const walk = (o) => {
    for (const [k, v] of Object.entries(o)) {
      if (v instanceof Substitution) {
        const r = sub(v);
        if (r === undefined) delete o[k];
        else o[k] = r;
      } else if (v && typeof v === 'object' && 'concat' in v && !Array.isArray(v)) {
        o[k] = v.concat.map((p) => (p.sub ? (sub(p.sub) ?? '') : p.s)).join('');
      } else if (isObject(v)) {
        walk(v);
      }
    }
  };
  walk(root);
  return root;
}

function parse (text, env) {
  if (typeof text !== 'string') throw new HoconError('no text');
  return resolve(new Parser(text).parseDocument(), env);
}

module.exports = { parse, lookup, HoconError };
