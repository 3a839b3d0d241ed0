'use strict';
// The pages' texts, read from the product's own Fluent files, so that a test asserts "the
// right message in the right language" without keeping a second copy of the translations.
// Only the subset of Fluent those files use: `key = value` on one line (or indented
// continuation lines), comments, and `{ $variable }` placeables.

const fs = require('node:fs');
const path = require('node:path');

const LOCALES = path.resolve(__dirname, '../../crates/web/locales');
const LANGS = ['vi', 'en'];

function parse(text) {
  const messages = new Map();
  let key = null;
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line) || line.trim() === '') {
      key = null;
      continue;
    }
    const entry = /^([a-z][a-z0-9-]*)\s*=\s?(.*)$/.exec(line);
    if (entry) {
      key = entry[1];
      messages.set(key, entry[2].trim());
    } else if (key && /^\s/.test(line)) {
      messages.set(key, `${messages.get(key)} ${line.trim()}`.trim());
    }
  }
  return messages;
}

const catalogs = Object.fromEntries(
  LANGS.map((lang) => [lang, parse(fs.readFileSync(path.join(LOCALES, lang, 'main.ftl'), 'utf8'))]),
);

/** The text of `key` in `lang`, with `{ $name }` replaced by `args.name`. */
function t(lang, key, args = {}) {
  const message = catalogs[lang] && catalogs[lang].get(key);
  if (message === undefined) {
    throw new Error(`no message ${key} in ${lang}/main.ftl`);
  }
  return message.replace(/\{\s*\$([a-z_]+)\s*\}/g, (_, name) => {
    if (!(name in args)) {
      throw new Error(`message ${key} needs the argument ${name}`);
    }
    return String(args[name]);
  });
}

// The captcha's digits written as words, as a person reads them (our own table, not the
// product's: the test must not trust the code under test to spell them).
const DIGIT_WORDS = {
  vi: ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'],
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
};

/** "bảy – hai – chín – bốn" → "7294". */
function wordsToDigits(lang, words) {
  return words
    .split(/\s*[–-]\s*/)
    .map((word) => {
      const digit = DIGIT_WORDS[lang].indexOf(word.trim().toLowerCase());
      if (digit < 0) {
        throw new Error(`"${word}" is not a digit in ${lang} (captcha "${words}")`);
      }
      return String(digit);
    })
    .join('');
}

module.exports = { LANGS, t, wordsToDigits };
