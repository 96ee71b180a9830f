import type { ConfigInput } from "./src/index.ts";

// The sample site. Every key is documented in README.md, "Site settings".
export default {
  title: "Wirefeed Sample News",
  description: "World and regional news from the wirefeed sample newsroom.",
  siteUrl: "https://news.example.com/",
  idAuthority: "news.example.com,2025",
  language: "en",
  timeZone: "America/Mexico_City",
  author: { name: "Wirefeed Newsroom", email: "newsroom@news.example.com", url: "https://news.example.com/about/" },
  limit: 20,
} satisfies ConfigInput;
