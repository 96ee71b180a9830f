import { defineConfig } from "./src/index.ts";

export default defineConfig({
  title: "Wirefeed Sample News",
  description: "World and regional news from the wirefeed sample newsroom.",
  siteUrl: "https://news.example.com/",
  idAuthority: "news.example.com,2025",
  language: "en",
  timeZone: "America/Mexico_City",
  author: { name: "Wirefeed Newsroom", email: "newsroom@news.example.com", url: "https://news.example.com/about/" },
  limit: 20,
});
