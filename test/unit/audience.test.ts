import fc from 'fast-check';
import {
  AGE_BANDS,
  ageFromBio,
  analyzeAudience,
  AUDIENCE_MODEL_VERSION,
  detectLanguage,
  genderFromPronouns,
  MIN_AUDIENCE_SAMPLE,
  normalizeShares,
  parseLocation,
  profileOnlyHint,
  TOP_CITIES,
  TOP_COUNTRIES,
  type AudienceEvidence,
  type AudienceSnapshotData,
} from '../../domain/audience';
import type { AudienceAccount, Comment, Platform } from '../../domain/platform';
import { commentTemplateLanguages, SimulatedProvider } from '../../providers/simulated';

const NOW = Date.parse('2026-06-15T12:00:00.000Z');
const REFERENCE_DATE = new Date(NOW).toISOString();
const at = (ms = NOW) => new SimulatedProvider({ now: () => new Date(ms) });

const account = (handle: string, fields: Partial<AudienceAccount> = {}): AudienceAccount => ({
  handle,
  location: null,
  pronouns: null,
  bio: null,
  ...fields,
});

const evidence = (commenters: AudienceEvidence['commenters'], followers: AudienceAccount[] = []): AudienceEvidence => ({
  commenters,
  followers,
  postsSampled: 10,
  referenceDate: REFERENCE_DATE,
});

/** Commenters of a creator's recent posts, grouped by handle as the audience activity does. */
async function commentersOf(p: SimulatedProvider, platform: Platform, handle: string, posts = 10, perPost = 100) {
  const page = await p.listPosts(platform, handle, { limit: posts });
  const byHandle = new Map<string, { account: AudienceAccount; texts: string[] }>();
  for (const post of page.posts) {
    for (const c of (await p.listComments(platform, post.platform_video_id, { limit: perPost })).comments) {
      const seen = byHandle.get(c.author_handle);
      if (seen) seen.texts.push(c.text);
      else byHandle.set(c.author_handle, { account: c.author!, texts: [c.text] });
    }
  }
  return { commenters: [...byHandle.values()], postsSampled: page.posts.length };
}

const cents = (values: number[]) => values.reduce((s, v) => s + Math.round(v * 100), 0);

function expectWellFormed(s: AudienceSnapshotData) {
  for (const dist of [s.age_distribution, s.gender_distribution, s.language_distribution]) {
    if (dist === null) continue;
    const values = Object.values(dist);
    expect(values.length).toBeGreaterThan(0);
    expect(Math.abs(values.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
    expect(cents(values)).toBe(100);
    for (const v of values) expect(v >= 0 && v <= 1).toBe(true);
    // largest share first
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]!);
  }
  if (s.age_distribution) for (const k of Object.keys(s.age_distribution)) expect(AGE_BANDS).toContain(k);
  if (s.gender_distribution) {
    for (const k of Object.keys(s.gender_distribution)) expect(['female', 'male', 'other']).toContain(k);
  }
  if (s.language_distribution) for (const k of Object.keys(s.language_distribution)) expect(k).toMatch(/^[a-z]{2}$/);
  for (const [rows, top, noun] of [
    [s.country_distribution, TOP_COUNTRIES, 'countr'],
    [s.city_distribution, TOP_CITIES, 'cit'],
  ] as const) {
    if (rows === null) continue;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(top + 1);
    expect(Math.abs(rows.reduce((a, r) => a + r.pct, 0) - 1)).toBeLessThan(1e-9);
    expect(cents(rows.map((r) => r.pct))).toBe(100);
    rows.forEach((r, i) => {
      expect(r.pct >= 0 && r.pct <= 1).toBe(true);
      if (r.code === undefined) {
        expect(i).toBe(rows.length - 1);
        expect(r.name).toMatch(new RegExp(`^Other \\(\\d+ ${noun}(y|ies)\\)$`));
        expect(r.confidence).toBeUndefined();
      } else {
        expect(r.code).toMatch(/^[A-Z]{2}$/);
        expect(r.confidence! >= 0 && r.confidence! <= 1).toBe(true);
      }
    });
  }
  for (const c of Object.values(s.confidence_per_signal)) {
    expect(c >= 0 && c <= 1).toBe(true);
    expect(Math.round(c * 100) / 100).toBe(c);
  }
  const signals: [unknown, number][] = [
    [s.age_distribution, s.confidence_per_signal.age],
    [s.gender_distribution, s.confidence_per_signal.gender],
    [s.language_distribution, s.confidence_per_signal.language],
    [s.country_distribution, s.confidence_per_signal.country],
    [s.city_distribution, s.confidence_per_signal.city],
  ];
  for (const [dist, confidence] of signals) if (dist === null) expect(confidence).toBe(0);
  expect(s.model_version).toBe(AUDIENCE_MODEL_VERSION);
  expect(s.sample_size).toBe(s.signal_breakdown.comments + s.signal_breakdown.followers);
}

describe('normalizeShares', () => {
  it('rounds to cents and puts the residue on the largest bucket', () => {
    expect(
      normalizeShares([
        ['a', 1],
        ['b', 1],
        ['c', 1],
      ] as const),
    ).toEqual([
      ['a', 0.34],
      ['b', 0.33],
      ['c', 0.33],
    ]);
    expect(
      normalizeShares([
        ['x', 1],
        ['y', 2],
        ['z', 2],
        ['w', 1],
      ] as const),
    ).toEqual([
      ['x', 0.17],
      ['y', 0.33],
      ['z', 0.33],
      ['w', 0.17],
    ]);
    expect(normalizeShares([['only', 5]] as const)).toEqual([['only', 1]]);
    expect(normalizeShares([['a', 0]] as const)).toEqual([['a', 0]]);
  });

  it('always sums to exactly 100 cents, each share in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 }), (ws) => {
        fc.pre(ws.some((w) => w > 0));
        const shares = normalizeShares(ws.map((w, i) => [i, w] as const));
        expect(cents(shares.map(([, s]) => s))).toBe(100);
        for (const [, s] of shares) expect(s >= 0 && s <= 1).toBe(true);
        expect(shares.map(([k]) => k)).toEqual(ws.map((_, i) => i));
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseLocation', () => {
  it.each([
    ['Milan, Italy', 'IT', 'Milan'],
    ['📍 Milan', 'IT', 'Milan'],
    ['📍Milano', 'IT', 'Milan'],
    ['Italy 🇮🇹', 'IT', null],
    ['🇮🇹', 'IT', null],
    ['Rome, IT', 'IT', 'Rome'],
    ['Roma - Italia', 'IT', 'Rome'],
    ['São Paulo - Brasil', 'BR', 'São Paulo'],
    ['Sao Paulo, Brazil', 'BR', 'São Paulo'],
    ['Rio de Janeiro 🇧🇷', 'BR', 'Rio de Janeiro'],
    ['Ciudad de México - México', 'MX', 'Mexico City'],
    ['CDMX', 'MX', 'Mexico City'],
    ['Bogotá, CO', 'CO', 'Bogotá'],
    ['Buenos Aires, Argentina', 'AR', 'Buenos Aires'],
    ['España', 'ES', null],
    ['Lisboa - Portugal', 'PT', 'Lisbon'],
    ['Bruxelles - Belgique', 'BE', 'Brussels'],
    ['Deutschland', 'DE', null],
    ['München 🇩🇪', 'DE', 'Munich'],
    ['Wien - Österreich', 'AT', 'Vienna'],
    ['Zürich - Schweiz', 'CH', 'Zurich'],
    ['東京 - 日本', 'JP', 'Tokyo'],
    ['大阪', 'JP', 'Osaka'],
    ['Jakarta, Indonesia', 'ID', 'Jakarta'],
    ['New York, United States', 'US', 'New York'],
    ['NYC', 'US', 'New York'],
    ['LA', 'US', 'Los Angeles'],
    ['Los Angeles, USA', 'US', 'Los Angeles'],
    ['United States of America', 'US', null],
    ['London, UK', 'GB', 'London'],
    ['England', 'GB', null],
    ['Lagos, Nigeria', 'NG', 'Lagos'],
    ['based in Mumbai', 'IN', 'Mumbai'],
    ['born and raised in Italy', 'IT', null],
    ['Bergamo, Italy', 'IT', 'Bergamo'],
    ['love, Italy', 'IT', null],
    ['Lagos, Portugal', 'PT', 'Lagos'],
    ['Sydney, New South Wales', 'AU', 'Sydney'],
    ['Albuquerque, New Mexico', 'US', null],
    ['BRA', 'BR', null],
    ['Paris ✈️ Tokyo', 'FR', 'Paris'],
  ])('%s → %s / %s', (text, country, city) => {
    expect(parseLocation(text)).toEqual({ country, city });
  });

  it.each([
    '',
    '   ',
    'the moon',
    'earth 🌍',
    'somewhere over the rainbow',
    'ur mom’s house',
    'in my room',
    'Narnia',
    'hell',
    'everywhere & nowhere',
    'it',
    'no',
    '🌈✨',
    'XX',
  ])('finds nothing in %j', (text) => {
    expect(parseLocation(text)).toBeNull();
  });
});

describe('detectLanguage', () => {
  it('reads clear sentences and gives up on text too short or ambiguous to call', () => {
    expect(detectLanguage('I love this so much, thank you for sharing')).toBe('en');
    expect(detectLanguage('Me encanta este contenido, gracias por compartir')).toBe('es');
    expect(detectLanguage('Danke für das Video, einfach großartig')).toBe('de');
    expect(detectLanguage('この曲は何ですか？')).toBe('ja');
    for (const text of ['', '🔥🔥🔥', '😂', '123', '@someone', '#fyp', 'ok', 'https://example.com/x']) {
      expect(detectLanguage(text)).toBeNull();
    }
  });

  it('calls the language of ≥ 85% of real simulated comments right, and most of them at all', async () => {
    const p = at();
    const comments: Comment[] = [];
    for (const platform of ['tiktok', 'instagram', 'youtube'] as const) {
      for (let i = 0; i < 12; i++) {
        const { posts } = await p.listPosts(platform, `lang${i}`, { limit: 3 });
        for (const post of posts) {
          comments.push(...(await p.listComments(platform, post.platform_video_id, { limit: 80 })).comments);
        }
      }
    }
    const byLanguage = new Map<string, { answered: number; right: number; total: number }>();
    for (const c of comments) {
      const langs = commentTemplateLanguages(c.text);
      if (langs.length !== 1) continue; // "Parte 2?" is Portuguese and Italian alike
      const truth = langs[0]!;
      const score = byLanguage.get(truth) ?? { answered: 0, right: 0, total: 0 };
      const got = detectLanguage(c.text);
      score.total += 1;
      if (got !== null) score.answered += 1;
      if (got === truth) score.right += 1;
      byLanguage.set(truth, score);
    }
    expect([...byLanguage.keys()].sort()).toEqual(['de', 'en', 'es', 'fr', 'id', 'it', 'ja', 'pt']);
    const sum = (f: (s: { answered: number; right: number; total: number }) => number) =>
      [...byLanguage.values()].reduce((a, s) => a + f(s), 0);
    expect(sum((s) => s.total)).toBeGreaterThan(1500);
    expect(sum((s) => s.right) / sum((s) => s.answered)).toBeGreaterThanOrEqual(0.85);
    expect(sum((s) => s.answered) / sum((s) => s.total)).toBeGreaterThanOrEqual(0.65);
    // per language a little lower: a one-word comment can pass for another language ("Inspiratif" reads as English)
    for (const [lang, s] of byLanguage) {
      if (s.total < 30) continue;
      expect([lang, s.right / s.answered >= 0.75]).toEqual([lang, true]);
    }
  });
});

describe('gender and age cues', () => {
  it.each([
    ['she/her', 'female'],
    ['She/Her', 'female'],
    ['she/they', 'female'],
    ['(he/him)', 'male'],
    ['He/They', 'male'],
    ['they/them', 'other'],
    ['ask me', null],
    [null, null],
  ])('pronouns %j → %j', (pronouns, gender) => {
    expect(genderFromPronouns(pronouns)).toBe(gender);
  });

  it.each([
    ['19 | uni life', '18-24', 1],
    ['22 y/o', '18-24', 1],
    ['16yo • gamer', '13-17', 1],
    ['22 anni | la vita è bella', '18-24', 1],
    ['38 años · viviendo la vida', '35-44', 1],
    ['30歳 コーヒーが好き', '25-34', 1],
    ['est. 1988', '35-44', 1],
    ['born in 1999', '25-34', 1],
    ["'05 • music lover", '18-24', 1],
    ["'72 baby", '45+', 1],
    ['class of 2027', '13-17', 0.8],
    ['class of 2020', '18-24', 0.8],
    ['mom of 2 • coffee', '25-34', 0.5],
    ['dad of three', '25-34', 0.5],
  ])('bio %j → %s', (bio, band, weight) => {
    expect(ageFromBio(bio, 2026)).toEqual({ band, weight });
  });

  it.each(['24/7 gamer', 'dog mom 🐶', 'coffee addict ☕', 'est. 2020', '9 lives', ''])('bio %j → no age', (bio) => {
    expect(ageFromBio(bio, 2026)).toBeNull();
  });
});

describe('analyzeAudience', () => {
  const locations = [
    'Milan, Italy',
    '📍 Rome',
    'Italy 🇮🇹',
    'São Paulo - Brasil',
    'London, UK',
    'Rome, IT',
    'the moon',
    'Tokyo, Japan',
    '🇫🇷',
  ];
  const bios = ['19 | uni life', '22 y/o', 'est. 1988', "'05", 'class of 2027', 'mom of 2', 'coffee addict ☕'];
  const texts = ['I love this so much', 'Bellissimo, grazie mille', 'Amei demais ❤️', '🔥', 'Part 2?', '最高です🔥'];
  const accountArb = (prefix: string) =>
    fc.record({
      handle: fc.string({ minLength: 1, maxLength: 12 }).map((h) => `${prefix}${h}`),
      location: fc.option(fc.oneof(fc.constantFrom(...locations), fc.string({ maxLength: 30 })), { nil: null }),
      pronouns: fc.option(fc.oneof(fc.constantFrom('she/her', 'he/him', 'they/them'), fc.string({ maxLength: 10 })), {
        nil: null,
      }),
      bio: fc.option(fc.oneof(fc.constantFrom(...bios), fc.string({ maxLength: 60 })), { nil: null }),
    });
  const evidenceArb = fc.record({
    commenters: fc.array(
      fc.record({
        account: accountArb('c'),
        texts: fc.array(fc.oneof(fc.constantFrom(...texts), fc.string({ maxLength: 40 })), { maxLength: 3 }),
      }),
      { maxLength: 80 },
    ),
    followers: fc.array(accountArb('f'), { maxLength: 40 }),
    postsSampled: fc.integer({ min: 0, max: 50 }),
    referenceDate: fc
      .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString()),
  });

  it('gives distributions that sum to 1 with shares in [0, 1], or null, for any evidence', () => {
    fc.assert(
      fc.property(
        evidenceArb,
        fc.constantFrom('comments', 'comments_extended', 'comments_and_followers') as fc.Arbitrary<
          'comments' | 'comments_extended' | 'comments_and_followers'
        >,
        (ev, source) => {
          const s = analyzeAudience(ev, source);
          expectWellFormed(s);
          const handles = new Set([
            ...ev.commenters.map((c) => c.account.handle),
            ...ev.followers.map((f) => f.handle),
          ]);
          expect(s.sample_size).toBe(new Set([...handles].map((h) => h.toLowerCase())).size);
          expect(s.data_source).toBe(source);
          expect(s.evidence_summary).toContain(`Sample of ${s.signal_breakdown.comments} commenter`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never fakes a signal nobody exposed', () => {
    const s = analyzeAudience(
      evidence([
        { account: account('a'), texts: ['🔥'] },
        { account: account('b'), texts: [] },
      ]),
      'comments',
    );
    expect(s).toMatchObject({
      sample_size: 2,
      age_distribution: null,
      gender_distribution: null,
      language_distribution: null,
      country_distribution: null,
      city_distribution: null,
      confidence_per_signal: { age: 0, gender: 0, country: 0, city: 0, language: 0 },
      confidence_level: 'low',
    });
  });

  it('ends the country list with "Other (K countries)" when more than the top countries appear', () => {
    const places = ['Italy', 'Brazil', 'Japan', 'France', 'Germany', 'Spain', 'Mexico', 'Canada'];
    const commenters = places.flatMap((place, i) =>
      Array.from({ length: 10 - i }, (_, k) => ({
        account: account(`${place}${k}`, { location: place }),
        texts: [],
      })),
    );
    const s = analyzeAudience(evidence(commenters), 'comments');
    expectWellFormed(s);
    const rows = s.country_distribution!;
    expect(rows.map((r) => r.code)).toEqual(['IT', 'BR', 'JP', 'FR', 'DE', undefined]);
    // 10, 9, 8, 7, 6 of 52 accounts, then 12 in three more countries: 19+17+15+13+12+23 = 99 cents, and the missing
    // cent goes to the largest bucket, the remainder row
    expect(rows.map((r) => r.pct)).toEqual([0.19, 0.17, 0.15, 0.13, 0.12, 0.24]);
    expect(rows[0]).toMatchObject({ name: 'Italy', code: 'IT' });
    expect(rows[5]).toEqual({ name: 'Other (3 countries)', pct: 0.24 });
    // a bigger share is known more precisely
    expect(rows[0]!.confidence!).toBeGreaterThan(rows[4]!.confidence!);

    const few = analyzeAudience(
      evidence(commenters.filter((c) => /^(Italy|Brazil)/.test(c.account.handle))),
      'comments',
    );
    expect(few.country_distribution!.map((r) => r.name)).toEqual(['Italy', 'Brazil']);
    expect(few.city_distribution).toBeNull();
  });

  it('counts each account once, commenters before followers, and says what it saw', () => {
    const commenters = Array.from({ length: 60 }, (_, i) => ({
      account: account(`fan${i}`, {
        location: i % 2 === 0 ? 'Milan, Italy' : null,
        pronouns: i % 3 === 0 ? 'she/her' : null,
      }),
      texts: ['Bellissimo, grazie mille per questo video'],
    }));
    const followers = [account('FAN1', { location: 'Lagos, Nigeria' }), account('new.one', { location: 'Tokyo' })];
    const s = analyzeAudience(evidence(commenters, followers), 'comments_and_followers');
    expectWellFormed(s);
    expect(s.sample_size).toBe(61);
    expect(s.signal_breakdown).toEqual({ comments: 60, followers: 1 });
    expect(s.language_distribution).toEqual({ it: 1 });
    expect(s.gender_distribution).toEqual({ female: 1 });
    expect(s.country_distribution![0]).toMatchObject({ code: 'IT', name: 'Italy' });
    expect(s.city_distribution!.map((r) => [r.code, r.name])).toEqual([
      ['IT', 'Milan'],
      ['JP', 'Tokyo'],
    ]);
    expect(s.evidence_summary).toMatch(
      /^Sample of 60 commenters drawn from 10 recent posts, blended with 1 follower account .*; 51% declared a location, 33% pronouns and 0% an age cue/,
    );
    expect(s.evidence_summary).toContain('Italian (100%)');
  });

  it('reads ages relative to the reference date, so the same evidence always gives the same snapshot', () => {
    const commenters = [{ account: account('a', { bio: 'class of 2027' }), texts: [] }];
    const in2026 = analyzeAudience({ ...evidence(commenters), referenceDate: '2026-03-01T00:00:00Z' }, 'comments');
    const in2032 = analyzeAudience({ ...evidence(commenters), referenceDate: '2032-03-01T00:00:00Z' }, 'comments');
    expect(in2026.age_distribution).toEqual({ '13-17': 1 });
    expect(in2032.age_distribution).toEqual({ '18-24': 1 });
    expect(analyzeAudience({ ...evidence(commenters), referenceDate: '2026-03-01T00:00:00Z' }, 'comments')).toEqual(
      in2026,
    );
    expect(() => analyzeAudience({ ...evidence(commenters), referenceDate: 'yesterday' }, 'comments')).toThrow(
      RangeError,
    );
  });
});

describe('analyzeAudience on the simulated world', () => {
  type Dist = Record<string, number>;
  const totalVariation = (a: Dist, b: Dist) =>
    [...new Set([...Object.keys(a), ...Object.keys(b)])].reduce((s, k) => s + Math.abs((a[k] ?? 0) - (b[k] ?? 0)), 0) /
    2;

  it('recovers a large creator’s audience: language, country, age and gender close to the hidden truth', async () => {
    const p = at();
    const results: {
      declaredLanguage: string | null;
      declaredCountry: string | null;
      snapshot: AudienceSnapshotData;
      truth: Record<'language' | 'country' | 'age' | 'gender', Dist>;
    }[] = [];
    for (let i = 0; results.length < 24 && i < 300; i++) {
      const platform = (['tiktok', 'instagram', 'youtube'] as const)[i % 3]!;
      const profile = await p.getProfile(platform, `big${i}`);
      if ((profile.followers as number) < 200_000) continue;
      const sample = await commentersOf(p, platform, `big${i}`);
      const snapshot = analyzeAudience({ ...sample, followers: [], referenceDate: REFERENCE_DATE }, 'comments');
      expectWellFormed(snapshot);
      const truth = { language: {}, country: {}, age: {}, gender: {} } as Record<
        'language' | 'country' | 'age' | 'gender',
        Dist
      >;
      const n = sample.commenters.length;
      for (const { account: a } of sample.commenters) {
        const t = p.audienceTruth(platform, a.handle)!;
        const add = (d: Dist, k: string) => (d[k] = (d[k] ?? 0) + 1 / n);
        add(truth.language, t.language);
        add(truth.country, t.country);
        add(truth.age, t.age_band);
        add(truth.gender, t.gender === 'undisclosed' ? 'other' : t.gender);
      }
      results.push({ declaredLanguage: profile.language, declaredCountry: profile.country, snapshot, truth });
    }
    expect(results).toHaveLength(24);
    const share = (test: (r: (typeof results)[number]) => boolean, of = results) => of.filter(test).length / of.length;
    const mean = (f: (r: (typeof results)[number]) => number) => results.reduce((s, r) => s + f(r), 0) / results.length;

    expect(share((r) => r.snapshot.sample_size >= MIN_AUDIENCE_SAMPLE)).toBe(1);
    expect(share((r) => r.snapshot.confidence_level === 'high')).toBeGreaterThan(0.6);

    // the top language is the one the creator declares
    const declaring = results.filter((r) => r.declaredLanguage !== null);
    expect(declaring.length).toBeGreaterThan(15);
    const topLanguage = (r: (typeof results)[number]) => Object.keys(r.snapshot.language_distribution!)[0];
    expect(share((r) => topLanguage(r) === r.declaredLanguage, declaring)).toBeGreaterThanOrEqual(0.85);

    // commenters live across the countries of their language (a Spanish-language creator in Mexico draws Spain,
    // Argentina and Colombia too), so the declared country is among the top three rather than always first …
    const located = results.filter((r) => r.declaredCountry !== null);
    const countries = (r: (typeof results)[number]) => r.snapshot.country_distribution!.map((row) => row.code);
    expect(share((r) => countries(r).slice(0, 3).includes(r.declaredCountry!), located)).toBeGreaterThanOrEqual(0.6);
    // … while the top country matches the sample's hidden truth
    const truthTop = (d: Dist) => Object.entries(d).sort((a, b) => b[1] - a[1])[0]![0];
    expect(share((r) => countries(r)[0] === truthTop(r.truth.country))).toBeGreaterThanOrEqual(0.8);

    // distributions close to the truth of the very accounts sampled
    const named = (rows: AudienceSnapshotData['country_distribution']) =>
      Object.fromEntries(rows!.filter((row) => row.code).map((row) => [row.code!, row.pct]));
    expect(mean((r) => totalVariation(r.snapshot.language_distribution!, r.truth.language))).toBeLessThan(0.1);
    expect(mean((r) => totalVariation(r.snapshot.age_distribution!, r.truth.age))).toBeLessThan(0.1);
    expect(mean((r) => totalVariation(r.snapshot.gender_distribution!, r.truth.gender))).toBeLessThan(0.06);
    expect(
      mean((r) => {
        const top = named(r.snapshot.country_distribution);
        return Object.keys(top).reduce((s, k) => s + Math.abs(top[k]! - (r.truth.country[k] ?? 0)), 0);
      }),
    ).toBeLessThan(0.12);
  });

  it('walks the ladder: sparse small creators, TikTok followers, the profile hint, INSUFFICIENT_SAMPLE', async () => {
    const p = at();
    // a small creator's recent posts draw too few commenters for a snapshot of its own …
    let small: string | null = null;
    for (let i = 0; i < 300 && small === null; i++) {
      const profile = await p.getProfile('tiktok', `small${i}`);
      if ((profile.followers as number) < 3_000 && (profile.total_videos as number) > 0) small = `small${i}`;
    }
    const sparse = await commentersOf(p, 'tiktok', small!);
    expect(sparse.commenters.length).toBeLessThan(MIN_AUDIENCE_SAMPLE);
    // … so TikTok blends in followers
    const { accounts } = await p.listFollowers('tiktok', small!, { limit: 500 });
    expect(sparse.commenters.length + accounts.length).toBeGreaterThanOrEqual(MIN_AUDIENCE_SAMPLE);
    const blended = analyzeAudience(
      { ...sparse, followers: accounts, referenceDate: REFERENCE_DATE },
      'comments_and_followers',
    );
    expectWellFormed(blended);
    expect(blended.signal_breakdown.followers).toBeGreaterThan(0);
    expect(blended.country_distribution).not.toBeNull();
    expect(blended.evidence_summary).toContain('follower account');

    // silent_: posts but no comments and no followers; the profile declares itself → profile_only
    for (const platform of ['tiktok', 'instagram', 'youtube'] as const) {
      const silent = await commentersOf(p, platform, 'silent_star');
      expect(silent.postsSampled).toBeGreaterThan(0);
      expect(silent.commenters).toHaveLength(0);
      const hint = profileOnlyHint(await p.getProfile(platform, 'silent_star'));
      expect(hint).not.toBeNull();
      expectWellFormed(hint!);
      expect(hint).toMatchObject({ data_source: 'profile_only', confidence_level: 'low', sample_size: 0 });
    }
    expect((await p.listFollowers('tiktok', 'silent_star', { limit: 500 })).accounts).toHaveLength(0);

    // empty_quiet: no posts and nothing declared → no hint → INSUFFICIENT_SAMPLE
    for (const platform of ['tiktok', 'instagram', 'youtube'] as const) {
      expect((await commentersOf(p, platform, 'empty_quiet')).commenters).toHaveLength(0);
      expect(profileOnlyHint(await p.getProfile(platform, 'empty_quiet'))).toBeNull();
    }
  });
});

describe('profileOnlyHint', () => {
  const base = { handle: 'someone', platform: 'instagram' as const };

  it('is null for a bare profile', () => {
    expect(profileOnlyHint({ ...base, country: null, language: null, bio: null })).toBeNull();
    expect(profileOnlyHint({ ...base, country: null, language: null, bio: '🔥✨' })).toBeNull();
    expect(profileOnlyHint({ ...base, country: 'ZZ', language: 'not a language', bio: null })).toBeNull();
  });

  it('turns the declared country and language into a low-confidence, refundable hint', () => {
    const hint = profileOnlyHint({ ...base, country: 'IT', language: 'it', bio: 'Contenuti di cucina ogni settimana' });
    expect(hint).toEqual({
      sample_size: 0,
      age_distribution: null,
      gender_distribution: null,
      language_distribution: { it: 1 },
      country_distribution: [{ code: 'IT', name: 'Italy', pct: 1, confidence: 0.2 }],
      city_distribution: null,
      confidence_per_signal: { age: 0, gender: 0, country: 0.2, city: 0, language: 0.2 },
      confidence_level: 'low',
      data_source: 'profile_only',
      signal_breakdown: { comments: 0, followers: 0 },
      evidence_summary: expect.stringMatching(/declared profile \(country: Italy, language: Italian\).*refunded/),
      model_version: AUDIENCE_MODEL_VERSION,
    });
  });

  it('reads the language and a 📍 place from the bio when nothing is declared, with less confidence', () => {
    const hint = profileOnlyHint({
      ...base,
      country: null,
      language: null,
      bio: 'Conteúdo de culinária toda semana 🍳 📍São Paulo',
    });
    expect(hint).toMatchObject({
      language_distribution: { pt: 1 },
      country_distribution: [{ code: 'BR', name: 'Brazil', pct: 1, confidence: 0.1 }],
      confidence_per_signal: { country: 0.1, language: 0.1 },
    });
    const languageOnly = profileOnlyHint({ ...base, country: null, language: 'es', bio: null });
    expect(languageOnly).toMatchObject({ language_distribution: { es: 1 }, country_distribution: null });
  });
});
