/**
 * The data behind the channel rule (docs/enrichment.md, "Channels"), in one place so that adding a
 * search engine or a social network is a one-line change here and nowhere else.
 *
 * Hosts are matched after lowercasing and removing "www.", against the host itself and each of
 * its parent domains: "facebook.com" also covers "l.facebook.com" and "m.facebook.com". So list
 * the most specific host that is always that kind of site ("search.yahoo.com", not "yahoo.com",
 * whose other hosts are news, finance and mail). Android apps send "android-app://<package>" as
 * the referrer; the package name is then the host, so the apps are listed under their package.
 *
 * utm_medium and utm_source values are matched lowercased and trimmed, whole.
 */

/** utm_medium values that mean the click was bought. Any medium starting with "paid" counts too. */
export const PAID_MEDIA = [
  "cpc", // cost per click: what Google Ads, Microsoft Ads and most guides write
  "ppc",
  "cpm",
  "cpv",
  "cpa",
  "cpp",
  "paidsearch", // and paid_search, paid-social… by the "paid" prefix rule
  "display",
  "banner",
  "affiliate",
  "affiliates",
  "retargeting",
  "remarketing",
  "ads",
] as const;

/**
 * Query parameters that ad networks add only to ad clicks: Google Ads (gclid, and gbraid / wbraid
 * on iOS), Google Display & Video 360 / Campaign Manager (dclid), Microsoft Ads (msclkid).
 * Not fbclid: Facebook adds it to every outbound link, organic posts included, so it says nothing
 * about payment (a Facebook referrer makes such a visit Social).
 */
export const PAID_CLICK_IDS = ["gclid", "gbraid", "wbraid", "dclid", "msclkid"] as const;

/** utm_medium or utm_source values that mean an email. */
export const EMAIL_TAGS = ["email", "e-mail", "e_mail", "e mail", "newsletter", "newsletters"] as const;

/** Webmail hosts: a referrer from one of them is a link clicked in an email. */
export const WEBMAIL_HOSTS = [
  "mail.google.com",
  "com.google.android.gm", // the Gmail app on Android
  "outlook.live.com",
  "outlook.office.com",
  "outlook.office365.com",
  "mail.yahoo.com",
  "mail.yahoo.co.jp",
  "mail.aol.com",
  "mail.proton.me",
  "mail.protonmail.com",
  "mail.zoho.com",
  "mail.zoho.eu",
  "app.fastmail.com",
  "app.tuta.com",
  "mail.tutanota.com",
  "mail.yandex.ru",
  "mail.yandex.com",
  "e.mail.ru",
  "webmail.gmx.net",
  "navigator.gmx.net",
  "email.t-online.de",
] as const;

/** utm_medium values that mean a post on a social network (paid social is caught by "paid" first). */
export const SOCIAL_MEDIA = [
  "social",
  "social-network",
  "social_network",
  "socialnetwork",
  "social network",
  "social-media",
  "social_media",
  "socialmedia",
  "social media",
  "organic-social",
  "organic_social",
  "sm",
] as const;

/** Social networks and link shorteners that only they use. */
export const SOCIAL_HOSTS = [
  "facebook.com", // l., lm., m., web. included
  "fb.com",
  "fb.me",
  "messenger.com",
  "com.facebook.katana", // Facebook for Android
  "instagram.com",
  "threads.net",
  "threads.com",
  "t.co", // every link on X goes through it
  "x.com",
  "twitter.com",
  "linkedin.com",
  "lnkd.in",
  "com.linkedin.android",
  "reddit.com",
  "redd.it",
  "com.reddit.frontpage",
  "youtube.com",
  "youtu.be",
  "tiktok.com",
  "pinterest.com",
  "pin.it",
  "mastodon.social",
  "mastodon.online",
  "mstdn.social",
  "bsky.app",
  "news.ycombinator.com",
  "lobste.rs",
  "tumblr.com",
  "vk.com",
  "weibo.com",
  "quora.com",
  "discord.com",
  "t.me",
  "web.telegram.org",
  "org.telegram.messenger",
  "web.whatsapp.com",
  "wa.me",
  "snapchat.com",
  "twitch.tv",
] as const;

/** Social hosts spelt with a country domain: pinterest.co.uk, pinterest.de… */
export const SOCIAL_HOST_PATTERNS = [/^pinterest\.(?:com?\.)?[a-z]{2,3}$/] as const;

/** utm_source values (not hosts) that name a social network. */
export const SOCIAL_SOURCES = [
  "facebook",
  "fb",
  "instagram",
  "ig",
  "threads",
  "twitter",
  "x",
  "linkedin",
  "reddit",
  "youtube",
  "tiktok",
  "pinterest",
  "mastodon",
  "bluesky",
  "bsky",
  "hackernews",
  "hacker news",
  "hn",
  "tumblr",
  "vk",
  "weibo",
  "whatsapp",
  "telegram",
  "discord",
  "snapchat",
] as const;

/** Search engines, by their search hosts. */
export const SEARCH_HOSTS = [
  "bing.com", // cn.bing.com included
  "duckduckgo.com",
  "search.yahoo.com", // uk.search.yahoo.com… included
  "search.yahoo.co.jp",
  "ya.ru",
  "baidu.com",
  "ecosia.org",
  "search.brave.com",
  "startpage.com",
  "kagi.com",
  "qwant.com",
  "search.naver.com",
  "search.seznam.cz",
  "search.aol.com",
  "ask.com",
  "sogou.com",
  "so.com",
  "com.google.android.googlequicksearchbox", // the Google app on Android
] as const;

/**
 * Search engines with a domain per country: google.com, google.de, google.co.uk, google.com.au;
 * yandex.ru, yandex.com.tr. Only the bare domain (after "www." is removed) is the search engine:
 * docs.google.com and mail.google.com are not.
 */
export const SEARCH_HOST_PATTERNS = [/^google\.(?:com?\.)?[a-z]{2,3}$/, /^yandex\.(?:com?\.)?[a-z]{2,3}$/] as const;

/** utm_source values (not hosts) that name a search engine. */
export const SEARCH_SOURCES = [
  "google",
  "bing",
  "duckduckgo",
  "yahoo",
  "yandex",
  "baidu",
  "ecosia",
  "brave",
  "startpage",
  "kagi",
  "qwant",
  "naver",
  "seznam",
] as const;

/** utm_medium values that say the visit came from a search engine's unpaid results. */
export const ORGANIC_MEDIA = ["organic", "seo"] as const;
