/**
 * The report `analysis` shapes as zod schemas: one schema both tells a model what to write (as the JSON schema of a
 * structured-output request, descriptions included) and checks what it wrote. Pure.
 */
import { z } from 'zod';
import type { CreatorAnalysis } from './creator-report';
import type { VideoAnalysis } from './video-report';

const count = (description: string) => z.number().int().nonnegative().describe(description);
const prose = (description: string) => z.string().min(1).describe(description);

export const creatorAnalysisSchema = z
  .object({
    overview: z
      .object({
        headline: prose(
          'One sentence: who the creator is (display name and @handle), platform, audience size and typical views per post, taken from the profile and posts given.',
        ),
        recent_focus: prose(
          'What the most recent posts (roughly the last 30 days) are about and how their views compare with earlier posts, with numbers and dates.',
        ),
        content_focus: prose(
          'The recurring subjects, hashtags, formats and lengths across all collected posts, with how many posts show each.',
        ),
        growth_insight: prose(
          'How followers (or subscribers) and totals moved across the snapshot series: start and end values with dates, the change, and whether growth is speeding up or slowing. Say so when there are too few snapshots.',
        ),
      })
      .describe('A short overview of the creator.'),
    what_works: z
      .array(
        z
          .object({
            insight: prose('A short claim about what makes posts do well, e.g. "Posts tagged #recipe outperform".'),
            evidence: prose(
              'The numbers from the data that support the claim: views, counts of posts, medians, ratios.',
            ),
            evidence_video_ids: z
              .array(z.string().min(1))
              .describe(
                'platform_video_id values of the given posts that show the pattern; only ids present in the data.',
              ),
          })
          .describe('One finding about what performs.'),
      )
      .describe(
        'Up to four findings about what performs best, strongest first; one saying the data is too thin if it is.',
      ),
    content_themes: z
      .array(
        z
          .object({
            name: prose('The theme, e.g. the hashtags that define it ("#recipe / #pasta").'),
            avg_views: count('Mean views of the given posts in this theme, rounded to a whole number.'),
            description: prose('What the theme covers and how it performs against the creator median.'),
            video_count: count('How many of the given posts belong to the theme.'),
          })
          .describe('One recurring content theme.'),
      )
      .describe('Up to five recurring content themes, largest first; empty when nothing recurs.'),
    posting_patterns: z
      .object({
        frequency: prose(
          'How often the creator posts (per week or month, from the posting cadence given), on which days, and how long ago the latest post went out.',
        ),
        best_formats: z
          .array(z.string().min(1))
          .describe(
            'Formats or length bands that get the most views, best first, each with its median views and post count.',
          ),
        optimal_duration: prose('The post length range to aim for, from the durations of the best-performing posts.'),
      })
      .describe('When and how the creator posts.'),
    audience_sentiment: z
      .object({
        overall_summary: prose(
          'The tone of the sampled comments (share positive, negative, neutral; laughter, praise, questions) and how many comments that rests on.',
        ),
        sentiment_labels: z
          .array(z.string().min(1))
          .describe(
            'Short lowercase labels for the tone, e.g. "positive", "mixed", "appreciative", "amused", "curious", "critical"; empty without comments.',
          ),
        notable_comments: z
          .array(
            z
              .object({
                likes: count("The comment's like count as given."),
                content: prose('The comment text as given (may be shortened).'),
                insight: prose('What the comment says about the audience.'),
              })
              .describe('One of the most-liked sampled comments.'),
          )
          .describe('Up to three of the most-liked sampled comments, most-liked first; empty without comments.'),
      })
      .describe('What the audience says in the comments.'),
  })
  .describe(
    'An analysis of a social-media creator. Every claim must rest on the data given; where data is missing, say so instead of guessing.',
  );

export const videoAnalysisSchema = z
  .object({
    performance: prose(
      'How the video is doing: its counts, engagement rate ((likes + comments + shares) / views), views/day velocity and its trend across the snapshots, and how its views compare with the creator median. Name hidden metrics as hidden.',
    ),
    sentiment: prose(
      'The tone of the sampled comments (share positive, negative, neutral; praise, laughter, questions), the most-liked comment, and how many comments that rests on.',
    ),
    recommendations: z
      .array(z.string().min(1))
      .min(1)
      .describe('Concrete next steps for the creator, each tied to a number in the data; most important first.'),
  })
  .describe(
    'An analysis of one tracked video. Every claim must rest on the data given; where data is missing, say so instead of guessing.',
  );

// compile-time: the schemas and the hand-written interfaces may not drift apart
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _creatorSchemaMatches: Same<z.infer<typeof creatorAnalysisSchema>, CreatorAnalysis> = true;
const _videoSchemaMatches: Same<z.infer<typeof videoAnalysisSchema>, VideoAnalysis> = true;

/** A JSON schema as sent in `response_format.json_schema.schema`. */
export type JsonSchema = { [key: string]: unknown };

// structure the strict mode of OpenAI structured outputs accepts, and that other OpenAI-compatible servers (Ollama,
// vLLM, llama.cpp) turn into a grammar
const STRUCTURAL = new Set(['type', 'description', 'properties', 'required', 'additionalProperties', 'items', 'enum']);
// bounds zod checks after the answer arrives; several are refused by strict mode (minLength) or by other servers
const VALIDATION_ONLY = new Set(['minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'pattern']);

/**
 * The JSON schema of a zod object schema in the form strict structured outputs accept: no `$schema`, every property
 * required, `additionalProperties: false` on every object, and only structural keywords (the value bounds stay in zod,
 * which validates the answer). Throws on anything it cannot express that way (an optional field, a union), so a schema
 * change that strict mode would refuse fails in the tests rather than at the endpoint.
 */
export function strictJsonSchema(schema: z.ZodType): JsonSchema {
  return clean(z.toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'throw' }), '$');
}

function clean(node: JsonSchema, path: string): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || VALIDATION_ONLY.has(key)) continue;
    if (!STRUCTURAL.has(key)) throw new Error(`strictJsonSchema: ${path} uses "${key}", which strict mode refuses`);
    if (key === 'properties') {
      const props = value as Record<string, JsonSchema>;
      out[key] = Object.fromEntries(Object.entries(props).map(([name, p]) => [name, clean(p, `${path}.${name}`)]));
    } else if (key === 'items') {
      out[key] = clean(value as JsonSchema, `${path}[]`);
    } else {
      out[key] = value;
    }
  }
  if (out.type === 'object') {
    const keys = Object.keys((out.properties as JsonSchema | undefined) ?? {});
    const required = new Set((out.required as string[] | undefined) ?? []);
    if (keys.some((k) => !required.has(k)) || out.additionalProperties !== false) {
      throw new Error(`strictJsonSchema: ${path} must require every property and forbid others`);
    }
  }
  return out;
}
