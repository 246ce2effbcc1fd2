/**
 * The simulated world's vocabulary and parameters: themes and the words creators use for them, languages and where
 * their speakers live, names, comment and bio templates, how audiences are spread over ages and how much of
 * themselves they show, and each platform's size and engagement model. The generator in `./simulated` draws from
 * these tables in a fixed order, so changing a value, adding one or reordering one changes every simulated creator,
 * post and comment (and the workflow histories and tests recorded from them).
 */
import type { Platform } from '../domain/platform';

export const THEMES = ['comedy', 'cooking', 'fitness', 'tech', 'beauty', 'travel', 'gaming', 'finance'] as const;
export type Theme = (typeof THEMES)[number];
export const LANGS = ['en', 'es', 'pt', 'fr', 'de', 'it', 'id', 'ja'] as const;
export type Lang = (typeof LANGS)[number];
export const LANG_WEIGHTS = [40, 15, 12, 8, 7, 6, 7, 5];

export interface ThemeContent {
  emoji: string;
  tags: readonly string[];
  titles: readonly string[];
  fillers: readonly string[];
  names: Record<Lang, string>;
}

// prettier-ignore
export const THEME_CONTENT: Record<Theme, ThemeContent> = {
  comedy: {
    emoji: '😂',
    tags: ['comedy', 'funny', 'skit', 'relatable', 'humor', 'memes', 'prank', 'lol', 'standup', 'parody'],
    titles: ['When your {x} tries to help', 'POV: you forgot about the {x}', 'Rating my {x} as a professional',
      'Trying to explain the {x} to my mom', 'The {x} plot twist nobody expected', 'Me vs. the {x} at 3am',
      'Day 1 of pretending I understand the {x}', 'Things my {x} says, part 2'],
    fillers: ['roommate', 'boss', 'cat', 'group chat', 'dentist', 'neighbor', 'gym bro', 'little brother', 'landlord',
      'smart fridge'],
    names: { en: 'comedy', es: 'comedia', pt: 'comédia', fr: 'humour', de: 'Comedy', it: 'comicità', id: 'komedi', ja: 'お笑い' },
  },
  cooking: {
    emoji: '🍳',
    tags: ['cooking', 'recipe', 'foodtok', 'easyrecipes', 'homecooking', 'foodie', 'baking', 'dinnerideas', 'mealprep',
      'chef'],
    titles: ['{x} in 15 minutes', 'The only {x} recipe you need', 'I tried the viral {x}', 'Crispy {x} with 3 ingredients',
      'Meal prep: {x} for the whole week', "Grandma's secret {x}", 'Making {x} from scratch'],
    fillers: ['pasta', 'ramen', 'tacos', 'banana bread', 'fried rice', 'lasagna', 'pancakes', 'curry', 'sourdough',
      'dumplings'],
    names: { en: 'cooking', es: 'cocina', pt: 'culinária', fr: 'cuisine', de: 'Koch', it: 'cucina', id: 'masak', ja: '料理' },
  },
  fitness: {
    emoji: '💪',
    tags: ['fitness', 'gym', 'workout', 'homeworkout', 'fitnessmotivation', 'gymtok', 'strength', 'cardio', 'mobility',
      'healthylifestyle'],
    titles: ['{x} workout you can do at home', '30 days of {x}: results', 'Stop doing {x} like this',
      'My {x} routine explained', 'Beginner {x} in 10 minutes', 'How I fixed my {x}'],
    fillers: ['leg day', 'push-up', 'core', 'pull-up', 'mobility', 'HIIT', 'deadlift', 'glute', 'posture', 'stretching'],
    names: { en: 'fitness', es: 'fitness', pt: 'fitness', fr: 'fitness', de: 'Fitness', it: 'fitness', id: 'kebugaran', ja: 'フィットネス' },
  },
  tech: {
    emoji: '📱',
    tags: ['tech', 'gadgets', 'iphone', 'android', 'setup', 'ai', 'coding', 'techtok', 'review', 'productivity'],
    titles: ['{x} review after one month', 'Is the new {x} worth it?', "5 {x} tricks you didn't know",
      'I replaced my laptop with a {x}', '{x} vs the competition', 'Unboxing the {x}'],
    fillers: ['phone', 'mechanical keyboard', 'smartwatch', 'tablet', 'AI assistant', 'desk setup', 'earbuds', 'mini PC',
      'e-reader', 'drone'],
    names: { en: 'tech', es: 'tecnología', pt: 'tecnologia', fr: 'tech', de: 'Technik', it: 'tecnologia', id: 'teknologi', ja: 'ガジェット' },
  },
  beauty: {
    emoji: '💄',
    tags: ['beauty', 'makeup', 'skincare', 'grwm', 'makeuptutorial', 'skincareroutine', 'hair', 'nails', 'glowup',
      'beautytips'],
    titles: ['GRWM: {x} edition', 'My {x} routine for glowing skin', 'Testing the viral {x} look',
      '{x} dupes that actually work', 'Fixing my {x} look in 5 minutes', 'Drugstore {x} haul'],
    fillers: ['night', 'morning', 'wedding guest', 'no-makeup', 'summer', 'everyday', 'date night', '10-minute', 'monolid',
      'curly hair'],
    names: { en: 'beauty', es: 'belleza', pt: 'beleza', fr: 'beauté', de: 'Beauty', it: 'bellezza', id: 'kecantikan', ja: '美容' },
  },
  travel: {
    emoji: '✈️',
    tags: ['travel', 'traveltok', 'wanderlust', 'travelguide', 'backpacking', 'roadtrip', 'vacation', 'hiddengems',
      'budgettravel', 'explore'],
    titles: ['48 hours in {x}', 'Hidden gems in {x}', '{x} on a budget', 'What I ate in {x}',
      "Don't visit {x} before watching this", 'Solo trip to {x}'],
    fillers: ['Lisbon', 'Tokyo', 'Mexico City', 'Bali', 'Rome', 'Cape Town', 'Seoul', 'Buenos Aires', 'Istanbul',
      'Reykjavik'],
    names: { en: 'travel', es: 'viajes', pt: 'viagens', fr: 'voyage', de: 'Reise', it: 'viaggi', id: 'traveling', ja: '旅行' },
  },
  gaming: {
    emoji: '🎮',
    tags: ['gaming', 'gamer', 'fortnite', 'minecraft', 'twitch', 'esports', 'gameplay', 'clips', 'gamingsetup',
      'speedrun'],
    titles: ['This {x} clutch was insane', 'Ranking every {x}', '{x} tips nobody tells you',
      'I beat the {x} without taking damage', 'The {x} update changed everything', 'Reacting to my first {x}'],
    fillers: ['ranked match', 'boss fight', 'speedrun', 'season', 'build', 'skin', 'patch', '1v4', 'co-op mode',
      'controller'],
    names: { en: 'gaming', es: 'gaming', pt: 'games', fr: 'gaming', de: 'Gaming', it: 'gaming', id: 'game', ja: 'ゲーム' },
  },
  finance: {
    emoji: '💸',
    tags: ['finance', 'money', 'investing', 'personalfinance', 'budgeting', 'stocks', 'savings', 'moneytok',
      'financialfreedom', 'sidehustle'],
    titles: ['How I saved {x} this year', 'Stop wasting money on {x}', '{x} explained in 60 seconds',
      'My {x} budget breakdown', 'The {x} mistake everyone makes', 'What {x} taught me about money'],
    fillers: ['$5,000', '$100 a week', 'subscriptions', 'rent', 'index funds', 'a side hustle', 'credit cards',
      'an emergency fund', 'taxes', 'coffee'],
    names: { en: 'personal finance', es: 'finanzas', pt: 'finanças', fr: 'finances', de: 'Finanz', it: 'finanza', id: 'keuangan', ja: 'お金' },
  },
};

// prettier-ignore
export const BIO_TEMPLATES: Record<Lang, readonly string[]> = {
  en: ['{T} creator • new videos every week', 'Your daily dose of {t} {e}', '{T} + good vibes only {e}'],
  es: ['Contenido de {t} cada semana {e}', 'Creador de {t} • vídeos nuevos cada semana'],
  pt: ['Conteúdo de {t} toda semana {e}', 'Criador de {t} • vídeos novos toda semana'],
  fr: ['Du contenu {t} chaque semaine {e}', 'Créateur {t} • nouvelles vidéos chaque semaine'],
  de: ['Jede Woche neue {T}-Videos {e}', '{T}-Creator • neue Videos jede Woche'],
  it: ['Contenuti di {t} ogni settimana {e}', 'Creator di {t} • nuovi video ogni settimana'],
  id: ['Konten {t} setiap minggu {e}', 'Kreator {t} • video baru setiap minggu'],
  ja: ['毎週{t}の動画を投稿中 {e}', '{t}クリエイター・毎週更新'],
};

export interface Country {
  code: string;
  city: string;
  utc: number;
  /** the city's name in the country's own language, where it differs from the English one */
  local?: string;
}

// prettier-ignore
export const COUNTRIES: Record<Lang, readonly Country[]> = {
  en: [{ code: 'US', city: 'New York', utc: -5 }, { code: 'US', city: 'Los Angeles', utc: -8 },
    { code: 'GB', city: 'London', utc: 0 }, { code: 'CA', city: 'Toronto', utc: -5 }, { code: 'AU', city: 'Sydney', utc: 10 },
    { code: 'NG', city: 'Lagos', utc: 1 }, { code: 'PH', city: 'Manila', utc: 8 }, { code: 'IN', city: 'Mumbai', utc: 5.5 }],
  es: [{ code: 'ES', city: 'Madrid', utc: 1 }, { code: 'MX', city: 'Mexico City', utc: -6, local: 'Ciudad de México' },
    { code: 'AR', city: 'Buenos Aires', utc: -3 }, { code: 'CO', city: 'Bogotá', utc: -5 }],
  pt: [{ code: 'BR', city: 'São Paulo', utc: -3 }, { code: 'BR', city: 'Rio de Janeiro', utc: -3 },
    { code: 'PT', city: 'Lisbon', utc: 0, local: 'Lisboa' }],
  fr: [{ code: 'FR', city: 'Paris', utc: 1 }, { code: 'FR', city: 'Lyon', utc: 1 },
    { code: 'BE', city: 'Brussels', utc: 1, local: 'Bruxelles' }],
  de: [{ code: 'DE', city: 'Berlin', utc: 1 }, { code: 'DE', city: 'Munich', utc: 1, local: 'München' },
    { code: 'AT', city: 'Vienna', utc: 1, local: 'Wien' }, { code: 'CH', city: 'Zurich', utc: 1, local: 'Zürich' }],
  it: [{ code: 'IT', city: 'Milan', utc: 1, local: 'Milano' }, { code: 'IT', city: 'Rome', utc: 1, local: 'Roma' },
    { code: 'IT', city: 'Naples', utc: 1, local: 'Napoli' }],
  id: [{ code: 'ID', city: 'Jakarta', utc: 7 }, { code: 'ID', city: 'Surabaya', utc: 7 }],
  ja: [{ code: 'JP', city: 'Tokyo', utc: 9, local: '東京' }, { code: 'JP', city: 'Osaka', utc: 9, local: '大阪' }],
};

export type Sentiment = 'positive' | 'neutral' | 'negative';

// prettier-ignore
export const COMMENT_TEMPLATES: Record<Lang, Record<Sentiment, readonly string[]>> = {
  en: {
    positive: ['I love this so much', 'This is amazing', 'Best video on my feed today', 'Hilarious, I replayed it five times',
      'So helpful, thank you!', 'Genius idea', 'Wow, just wow', 'Absolute legend', 'Your content is always great',
      'This made my day, thanks'],
    neutral: ['Where did you get that?', 'Part 2?', 'What song is this?', 'First time seeing this account',
      'Watching this on my lunch break'],
    negative: ['This is so boring', 'Clickbait again', 'Worst take I have seen all week', 'Kind of cringe honestly',
      'Unfollowed, this got annoying'],
  },
  es: {
    positive: ['Me encanta este contenido', 'Increíble 😍', 'Eres el mejor', 'Qué genial, gracias por compartir',
      'Buenísimo', 'Crack total', 'Excelente video'],
    neutral: ['¿Dónde lo compraste?', 'Parte 2 por favor', 'Saludos desde Lima', '¿Qué canción es?'],
    negative: ['Qué aburrido', 'Esto es falso', 'El peor video', 'Muy malo la verdad'],
  },
  pt: {
    positive: ['Amei demais ❤️', 'Que lindo', 'Perfeito como sempre', 'Conteúdo incrível, obrigado!', 'Melhor canal',
      'Maravilhoso 😍'],
    neutral: ['Qual é a música?', 'Alguém do Brasil?', 'Parte 2?', 'Onde você comprou?'],
    negative: ['Muito chato', 'Pior vídeo', 'Que horrível', 'Isso é lixo'],
  },
  fr: {
    positive: ["J'adore ❤️", 'Trop génial', 'Magnifique', 'Merci pour cette vidéo', 'Parfait 👏', 'Bravo, super contenu'],
    neutral: ["C'est quoi la musique ?", 'Partie 2 ?', 'Qui regarde pendant la pause ?', "Tu l'as trouvé où ?"],
    negative: ['Vraiment nul', 'La pire vidéo', 'Je déteste ce format', 'Ennuyeux, comme toujours'],
  },
  de: {
    positive: ['Richtig toll', 'Danke für das Video', 'Einfach großartig', 'Bestes Video heute 🔥', 'Perfekt erklärt',
      'Ich liebe das'],
    neutral: ['Wo hast du das gekauft?', 'Teil 2?', 'Welcher Song ist das?', 'Grüße aus Hamburg'],
    negative: ['Ziemlich langweilig', 'Das ist schlecht', 'Schlimm', 'Ich hasse dieses Format'],
  },
  it: {
    positive: ['Bellissimo ❤️', 'Grazie mille', 'Fantastico', 'Il migliore', 'Perfetto come sempre', 'Adoro questi video'],
    neutral: ['Che canzone è?', 'Parte 2?', 'Dove lo hai comprato?', 'Saluti da Napoli'],
    negative: ['Che noioso', 'Il peggiore', 'Brutto', 'Che schifo'],
  },
  id: {
    positive: ['Keren banget 🔥', 'Mantap, terima kasih', 'Bagus sekali 👍', 'Suka banget sama videonya ❤️',
      'Lucu banget 😂', 'Inspiratif 👏'],
    neutral: ['Lagu apa ini?', 'Part 2 dong', 'Beli di mana?', 'Nonton dari Jakarta'],
    negative: ['Membosankan 👎', 'Jelek banget 👎', 'Nggak suka 😒', 'Kurang menarik 🙄'],
  },
  ja: {
    positive: ['すごい！😍', '最高です🔥', 'ありがとうございます🙏', '大好き❤️', '面白すぎる😂', '天才👏'],
    neutral: ['この曲は何ですか？', '続きが見たい', 'どこで買えますか？', '初めて見ました'],
    negative: ['つまらない👎', '微妙…🙄', '残念😢', '嫌い😒'],
  },
};
export const POSITIVE_EMOJI = ['🔥', '😂', '❤️', '😍', '👏', '🙌', '💯'];

let templateLanguages: Map<string, Lang[]> | undefined;

/**
 * The languages whose comment templates produce this comment text (a simulated comment is a template, sometimes
 * followed by an emoji): one language for most texts, several for the few shared ones ("Parte 2?"), none for text
 * the simulation never writes. For tests that score language detection on simulated comments.
 */
export function commentTemplateLanguages(text: string): string[] {
  if (templateLanguages === undefined) {
    templateLanguages = new Map();
    for (const lang of LANGS) {
      for (const t of Object.values(COMMENT_TEMPLATES[lang]).flat()) {
        const langs = templateLanguages.get(t) ?? [];
        if (!langs.includes(lang)) langs.push(lang);
        templateLanguages.set(t, langs);
      }
    }
  }
  const exact = templateLanguages.get(text);
  if (exact) return [...exact];
  const emoji = POSITIVE_EMOJI.find((e) => text.endsWith(` ${e}`));
  return emoji === undefined ? [] : [...(templateLanguages.get(text.slice(0, -emoji.length - 1)) ?? [])];
}

// prettier-ignore
export const PEOPLE: Record<Lang, { first: readonly string[]; last: readonly string[] }> = {
  en: { first: ['jake', 'emma', 'olivia', 'liam', 'noah', 'ava', 'mia', 'ethan', 'chloe', 'mason', 'sophie', 'ryan'],
    last: ['smith', 'johnson', 'brown', 'taylor', 'miller', 'davis', 'wilson', 'clark'] },
  es: { first: ['sofia', 'mateo', 'valentina', 'santiago', 'lucia', 'diego', 'camila', 'javier', 'isabella'],
    last: ['garcia', 'martinez', 'lopez', 'gonzalez', 'rodriguez', 'fernandez', 'torres'] },
  pt: { first: ['joao', 'ana', 'pedro', 'beatriz', 'lucas', 'mariana', 'gabriel', 'larissa', 'rafael', 'juliana'],
    last: ['silva', 'santos', 'oliveira', 'souza', 'costa', 'pereira', 'almeida'] },
  fr: { first: ['lucas', 'chloe', 'hugo', 'lea', 'louis', 'manon', 'jules', 'camille', 'theo', 'ines'],
    last: ['martin', 'bernard', 'dubois', 'laurent', 'moreau', 'lefebvre', 'girard'] },
  de: { first: ['lukas', 'lena', 'jonas', 'hannah', 'felix', 'marie', 'leon', 'paul', 'mia', 'finn'],
    last: ['muller', 'schmidt', 'schneider', 'fischer', 'weber', 'wagner', 'becker'] },
  it: { first: ['giulia', 'marco', 'francesca', 'alessandro', 'chiara', 'lorenzo', 'sara', 'matteo', 'martina'],
    last: ['rossi', 'russo', 'ferrari', 'esposito', 'bianchi', 'romano', 'colombo'] },
  id: { first: ['putri', 'budi', 'ayu', 'rizky', 'dewi', 'agus', 'sari', 'fajar', 'indah', 'dimas'],
    last: ['santoso', 'wijaya', 'saputra', 'pratama', 'hidayat', 'kusuma', 'nugroho'] },
  ja: { first: ['yuki', 'haruto', 'sakura', 'ren', 'aoi', 'sota', 'hina', 'yuto', 'mei', 'kaito'],
    last: ['tanaka', 'suzuki', 'sato', 'takahashi', 'ito', 'watanabe', 'yamamoto'] },
};

// ---------------------------------------------------------------------------------------------------------------
// the audience: the hidden truth behind comment authors and followers, and what of it their profiles show

/** the ages each of `AGE_BANDS` (domain/audience) spans, in its order */
export const AGE_RANGES: readonly (readonly [number, number])[] = [
  [13, 17],
  [18, 24],
  [25, 34],
  [35, 44],
  [45, 68],
];
/** age band weights per platform, in `AGE_BANDS` order (domain/audience): TikTok younger, YouTube older */
export const AGE_BAND_WEIGHTS: Record<Platform, readonly number[]> = {
  tiktok: [22, 38, 24, 10, 6],
  instagram: [10, 32, 32, 16, 10],
  youtube: [7, 24, 30, 20, 19],
};

/** how often an account fills in each public field; `ageCue` is the share of bios that give an age away */
export const EXPOSURE: Record<Platform, { location: number; pronouns: number; bio: number; ageCue: number }> = {
  tiktok: { location: 0.5, pronouns: 0.4, bio: 0.6, ageCue: 0.45 },
  instagram: { location: 0.6, pronouns: 0.35, bio: 0.65, ageCue: 0.4 },
  youtube: { location: 0.55, pronouns: 0.3, bio: 0.55, ageCue: 0.35 },
};

export type AudienceGender = 'female' | 'male' | 'undisclosed';

// prettier-ignore
export const BIO_FILLERS: Record<Lang, readonly string[]> = {
  en: ['just here for the vibes', 'coffee addict ☕', 'music lover 🎧', 'living my best life', 'dog person 🐶',
    'travel • food • sunsets', 'nurse and night owl', 'gamer and foodie', 'amateur photographer 📷',
    'sports fan, pizza lover'],
  es: ['amante del café y la música ☕', 'viviendo la vida al máximo', 'fútbol, música y amigos ⚽',
    'siempre buscando la próxima aventura', 'la vida es mejor con perritos 🐶'],
  pt: ['amo café e música ☕', 'vivendo um dia de cada vez', 'futebol, praia e amigos ⚽',
    'sempre em busca da próxima viagem', 'apaixonada por cachorros e por chocolate 🐶'],
  fr: ['fan de musique et de cinéma 🎧', 'la vie est belle, profitez-en', 'café, croissants et voyages ☕',
    'toujours à la recherche de la prochaine aventure', 'passionné de foot et de jeux vidéo'],
  de: ['Kaffee ist mein Lebenselixier ☕', 'Musik ist mein Leben 🎧', 'Fußball und Freunde, mehr braucht es nicht ⚽',
    'immer auf der Suche nach dem nächsten Abenteuer', 'Hundemensch aus Überzeugung 🐶'],
  it: ['amante della pizza e della buona musica 🍕', 'la vita è bella, godiamocela', 'calcio, musica e amici ⚽',
    'sempre in cerca della prossima avventura', 'pazza per i cani e per il caffè 🐶'],
  id: ['pecinta kopi dan musik ☕', 'hidup santai saja, jangan lupa bahagia', 'suka jalan-jalan dan makan enak',
    'selalu mencari petualangan berikutnya', 'pecinta kucing dan sepak bola ⚽'],
  ja: ['コーヒーと音楽が大好きです☕', '毎日楽しく生きています', '旅行とカフェ巡りが趣味です',
    'サッカーとゲームが好き⚽', '犬と猫と一緒に暮らしています🐶'],
};

/** "22 y/o" in each language */
export const AGE_WORDS: Record<Lang, string> = {
  en: 'y/o',
  es: 'años',
  pt: 'anos',
  fr: 'ans',
  de: 'Jahre',
  it: 'anni',
  id: 'tahun',
  ja: '歳',
};

export const PARENT_WORDS: Record<AudienceGender, string> = { female: 'mom', male: 'dad', undisclosed: 'parent' };
export const BIO_SEPARATORS = [' | ', ' • ', ' · ', ' - '];

export interface PlatformModel {
  name: string;
  postsPerWeek: [number, number];
  /** median views per post as a share of followers, for a 100k creator */
  reach: number;
  likeRate: number;
  commentsPerLike: number;
  /** fast phase (Weibull scale in days) and slow long tail of the view curve */
  tau: number;
  tailTau: number;
  tailShare: number;
  followingMedian: number | null;
}

export const PLATFORM_MODELS: Record<Platform, PlatformModel> = {
  tiktok: {
    name: 'TikTok',
    postsPerWeek: [2, 14],
    reach: 0.22,
    likeRate: 0.075,
    commentsPerLike: 0.02,
    tau: 1.2,
    tailTau: 45,
    tailShare: 0.15,
    followingMedian: 120,
  },
  instagram: {
    name: 'Instagram',
    postsPerWeek: [2, 10],
    reach: 0.12,
    likeRate: 0.06,
    commentsPerLike: 0.03,
    tau: 0.9,
    tailTau: 30,
    tailShare: 0.12,
    followingMedian: 600,
  },
  youtube: {
    name: 'YouTube',
    postsPerWeek: [1.5, 7],
    reach: 0.06,
    likeRate: 0.035,
    commentsPerLike: 0.05,
    tau: 3,
    tailTau: 240,
    tailShare: 0.25,
    // YouTube shows no following count
    followingMedian: null,
  },
};

// ---------------------------------------------------------------------------------------------------------------
// sounds (./simulated-sounds): appended, and drawn from only by the sound generator, so no creator, post or comment
// above changes with them

// prettier-ignore
export const SOUND_TITLE_WORDS: { first: readonly string[]; second: readonly string[] } = {
  first: ['Midnight', 'Golden', 'Neon', 'Velvet', 'Paper', 'Electric', 'Summer', 'Silver', 'Lonely', 'Crystal', 'Wild',
    'Slow', 'Broken', 'Sugar', 'Cosmic', 'Ocean'],
  second: ['Drive', 'Hour', 'Hearts', 'Dreams', 'Skyline', 'Fever', 'Lights', 'Echo', 'Rush', 'Parade', 'Motion',
    'Waves', 'Gravity', 'Satellite', 'Bloom', 'Mirage'],
};
export const SOUND_VERSIONS = ['', '', '', ' (Sped Up)', ' (Slowed + Reverb)', ' (Remix)', ' (Acoustic)'];

// prettier-ignore
export const SOUND_ARTISTS: readonly string[] = ['Luna Vale', 'The Paper Lanterns', 'Kito Rae', 'Marlow & June',
  'DJ Solstice', 'Nova Reyes', 'Harbor Kids', 'Aiko Mori', 'Static Bloom', 'Juno Park', 'Leo Marchetti', 'Velvet Coast'];

/** "original sound - {name}" in each language, as TikTok titles a creator-uploaded sound */
export const ORIGINAL_SOUND_TITLES: Record<Lang, string> = {
  en: 'original sound',
  es: 'sonido original',
  pt: 'som original',
  fr: 'son original',
  de: 'Originalton',
  it: 'suono originale',
  id: 'suara asli',
  ja: 'オリジナル楽曲',
};
