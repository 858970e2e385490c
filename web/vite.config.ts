/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// In development and preview the store forwards /graphql to the router and
// /images to the catalog, which serves the product images; in production
// `shopgraph serve web` does the same.
const routerURL = process.env.SHOPGRAPH_ROUTER_URL ?? 'http://127.0.0.1:4000';
const catalogURL = process.env.SHOPGRAPH_CATALOG_URL ?? 'http://127.0.0.1:4001';
const proxy = {
  '/graphql': { target: routerURL, changeOrigin: true },
  '/images': { target: catalogURL, changeOrigin: true },
};

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script-defer',
      includeAssets: ['favicon.svg'],
      manifest: {
        name: 'shopgraph store',
        short_name: 'shopgraph',
        description: 'Clothing, footwear, bags and things for the home.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#1f4e5f',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The offline shell: every route is the single page; data is never cached
        // by the worker (the GraphQL client has its own cache).
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/graphql/, /^\/images\//],
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        runtimeCaching: [
          {
            urlPattern: ({ url }) => url.pathname.startsWith('/images/products/'),
            handler: 'CacheFirst',
            options: { cacheName: 'product-images', expiration: { maxEntries: 200 } },
          },
        ],
      },
    }),
  ],
  server: { host: '127.0.0.1', port: 3000, proxy },
  preview: { host: '127.0.0.1', port: 3000, proxy },
  build: { sourcemap: false },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
