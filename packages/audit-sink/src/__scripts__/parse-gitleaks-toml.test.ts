import { describe, expect, it } from 'vitest';
import { parseGitleaksToml } from './parse-gitleaks-toml.js';

// A configuration in the layout gitleaks generates, with made-up rules.
const CONFIG = String.raw`title = "example config"

[allowlist]
description = "global allow lists"
regexes = [
    '''^example$''',
]

[[rules]]
id = "example-token"
description = "An \"example\" token."
regex = '''\b(exm_[a-f0-9]{8})(?:[\x60'"\s;]|\\[nr]|$)'''
entropy = 3.5
keywords = ["exm_"]

[[rules]]
id = "example-keyed"
description = "A token next to a vendor name."
regex = '''(?i)[\w.-]{0,50}?(?:vendor)[\s'"]{0,3}(?:=|:)([a-z0-9]{16})'''
keywords = [
    "vendor",
    "VENDOR_KEY",
]
[[rules.allowlists]]
regexes = [
    '''id = "not-a-rule"''',
]

[[rules]]
id = "example-file"
description = "A file name only."
path = '''(?i)\.p12$'''
`;

describe('parseGitleaksToml', () => {
  it('reads each rule in order with its regex, keywords and entropy, and passes over allow-lists', () => {
    const rules = parseGitleaksToml(CONFIG);
    expect(rules.map((rule) => rule.id)).toEqual(['example-token', 'example-keyed', 'example-file']);
    expect(rules[0]).toEqual({
      id: 'example-token',
      description: 'An "example" token.',
      regex: String.raw`\b(exm_[a-f0-9]{8})(?:[\x60'"\s;]|\\[nr]|$)`,
      keywords: ['exm_'],
      entropy: 3.5,
    });
    expect(rules[1]?.keywords).toEqual(['vendor', 'vendor_key']);
    expect(rules[1]?.entropy).toBeUndefined();
    expect(rules[2]?.regex).toBeUndefined();
  });

  it('refuses a rule without an id', () => {
    expect(() => parseGitleaksToml('[[rules]]\ndescription = "x"\n')).toThrow(/without an id/);
  });
});
