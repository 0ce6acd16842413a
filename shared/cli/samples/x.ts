/**
 * X (Twitter) Account Activity API: `tweet_create_events`, a post mentioning the subscribed user.
 * The signer adds `x-twitter-webhooks-signature`.
 */
import type { WebhookSample } from './sample.js';
import { jsonSample, numericText } from './sample-builders.js';

const SUBSCRIBED_USER_ID = '2244994945';

/** `time` as X's v1.1 `created_at` writes it: `Wed Oct 10 20:19:24 +0000 2018`. */
function twitterDate(time: Date): string {
  const [weekday, day, month, year, clock] = time.toUTCString().replace(',', '').split(' ');
  return `${weekday} ${month} ${day} ${clock} +0000 ${year}`;
}

const tweetCreate = jsonSample({
  name: 'x.tweet_create_events',
  description: 'X tweet_create_events: a post mentioning the subscribed user',
  scheme: 'x',
  eventType: 'tweet_create_events',
  payload: (context) => {
    const tweetId = numericText(context, 'x.tweet', 19);
    return {
      for_user_id: SUBSCRIBED_USER_ID,
      user_has_blocked: false,
      tweet_create_events: [
        {
          created_at: twitterDate(context.now),
          // No numeric `id`: 19 digits do not survive a JSON number; X's own clients read `id_str`.
          id_str: tweetId,
          text: '@XDevelopers Webhooks are here!',
          source: '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
          truncated: false,
          in_reply_to_status_id: null,
          in_reply_to_user_id: null,
          user: {
            id: 6_253_282,
            id_str: '6253282',
            name: 'Example User',
            screen_name: 'example_user',
            verified: false,
            followers_count: 1_024,
          },
          entities: {
            hashtags: [],
            urls: [],
            user_mentions: [
              {
                screen_name: 'XDevelopers',
                name: 'Developers',
                id: Number(SUBSCRIBED_USER_ID),
                id_str: SUBSCRIBED_USER_ID,
                indices: [0, 12],
              },
            ],
          },
          lang: 'en',
          timestamp_ms: String(context.now.getTime()),
        },
      ],
    };
  },
});

/** X's sample: `x.tweet_create_events`. */
export const xSamples: readonly WebhookSample[] = [tweetCreate];
