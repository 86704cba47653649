// Words as a person counts them: the same rule as lots.bids.services.count_words (a test runs
// both on the same texts), so a limit cannot be dodged by leaving the spaces out.
//
// Words are split at spaces, and where punctuation joins two words without one: commas,
// semicolons, colons, slashes, a full stop before a word, and dashes other than a single
// hyphen ("well-being" is one word, "care—support" two). A piece counts if it holds a letter or
// a digit. A piece longer than any real word (over 30 characters) counts as one word per 6
// characters.
const SPACE = /[\s\u001c-\u001f\u0085]+/u
const WORD_CHARACTER = /[\p{L}\p{N}_\u00C0-\u024F]/u
const JOINER = /(?<![0-9])[,;:](?=\p{L})|(?<=\p{L})[,;:](?=[0-9])|\.(?=\p{L}{2})|[/\\|+&=…]|[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]|-{2,}|[()[\]{}<>]/u
const LONG_WORD = 30
const CHARACTERS_PER_WORD = 6

export function countWords (text) {
  let count = 0
  for (const token of (text || '').split(SPACE)) {
    for (const piece of token.split(JOINER)) {
      if (!piece || !WORD_CHARACTER.test(piece)) continue
      const length = [...piece].length
      count += length > LONG_WORD ? Math.ceil(length / CHARACTERS_PER_WORD) : 1
    }
  }
  return count
}
