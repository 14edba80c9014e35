//! Third-party services a target uses, recognised from the packages it
//! depends on: a model provider's SDK, a backend-as-a-service client, a
//! payment API. The report's target profile names them, and the framework
//! asks about model spending caps only when a model SDK is there.

use std::collections::BTreeSet;

use crate::package::{Ecosystem, Package};

/// What a service is, for the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ServiceKind {
    /// A language-model or AI API (paid per call).
    Ai,
    /// A database or backend service.
    Data,
    /// Payments.
    Payments,
    /// Error reporting, tracing, logging.
    Observability,
    /// Authentication.
    Identity,
}

/// Package names (as the ecosystem spells them, lowercase) and prefixes
/// that identify a service.
const SERVICES: &[(&str, &str, ServiceKind)] = &[
    // AI and model providers.
    ("openai", "OpenAI", ServiceKind::Ai),
    ("@anthropic-ai/sdk", "Anthropic", ServiceKind::Ai),
    ("anthropic", "Anthropic", ServiceKind::Ai),
    ("@google/generative-ai", "Google Gemini", ServiceKind::Ai),
    ("@google/genai", "Google Gemini", ServiceKind::Ai),
    ("google-generativeai", "Google Gemini", ServiceKind::Ai),
    ("google-genai", "Google Gemini", ServiceKind::Ai),
    ("@mistralai/mistralai", "Mistral", ServiceKind::Ai),
    ("mistralai", "Mistral", ServiceKind::Ai),
    ("groq-sdk", "Groq", ServiceKind::Ai),
    ("groq", "Groq", ServiceKind::Ai),
    ("cohere-ai", "Cohere", ServiceKind::Ai),
    ("cohere", "Cohere", ServiceKind::Ai),
    ("replicate", "Replicate", ServiceKind::Ai),
    ("@huggingface/inference", "Hugging Face", ServiceKind::Ai),
    ("huggingface-hub", "Hugging Face", ServiceKind::Ai),
    ("ai", "Vercel AI SDK", ServiceKind::Ai),
    ("@ai-sdk/", "Vercel AI SDK", ServiceKind::Ai),
    ("langchain", "LangChain", ServiceKind::Ai),
    ("@langchain/", "LangChain", ServiceKind::Ai),
    ("langchain-", "LangChain", ServiceKind::Ai),
    ("llamaindex", "LlamaIndex", ServiceKind::Ai),
    ("llama-index", "LlamaIndex", ServiceKind::Ai),
    ("async-openai", "OpenAI", ServiceKind::Ai),
    ("elevenlabs", "ElevenLabs", ServiceKind::Ai),
    // Data and backends.
    ("@supabase/supabase-js", "Supabase", ServiceKind::Data),
    ("@supabase/ssr", "Supabase", ServiceKind::Data),
    ("supabase", "Supabase", ServiceKind::Data),
    ("firebase", "Firebase", ServiceKind::Data),
    ("firebase-admin", "Firebase", ServiceKind::Data),
    ("@prisma/client", "Prisma", ServiceKind::Data),
    ("drizzle-orm", "Drizzle", ServiceKind::Data),
    ("mongoose", "MongoDB", ServiceKind::Data),
    ("mongodb", "MongoDB", ServiceKind::Data),
    ("pymongo", "MongoDB", ServiceKind::Data),
    ("@neondatabase/serverless", "Neon", ServiceKind::Data),
    ("@planetscale/database", "PlanetScale", ServiceKind::Data),
    ("convex", "Convex", ServiceKind::Data),
    ("@upstash/redis", "Upstash", ServiceKind::Data),
    // Payments.
    ("stripe", "Stripe", ServiceKind::Payments),
    ("@stripe/stripe-js", "Stripe", ServiceKind::Payments),
    ("async-stripe", "Stripe", ServiceKind::Payments),
    (
        "@paypal/checkout-server-sdk",
        "PayPal",
        ServiceKind::Payments,
    ),
    (
        "@lemonsqueezy/lemonsqueezy.js",
        "Lemon Squeezy",
        ServiceKind::Payments,
    ),
    // Observability.
    ("@sentry/", "Sentry", ServiceKind::Observability),
    ("sentry-sdk", "Sentry", ServiceKind::Observability),
    ("sentry", "Sentry", ServiceKind::Observability),
    (
        "@opentelemetry/",
        "OpenTelemetry",
        ServiceKind::Observability,
    ),
    ("opentelemetry", "OpenTelemetry", ServiceKind::Observability),
    (
        "opentelemetry-",
        "OpenTelemetry",
        ServiceKind::Observability,
    ),
    ("posthog-js", "PostHog", ServiceKind::Observability),
    ("posthog", "PostHog", ServiceKind::Observability),
    ("@datadog/", "Datadog", ServiceKind::Observability),
    ("dd-trace", "Datadog", ServiceKind::Observability),
    // Identity.
    ("@clerk/", "Clerk", ServiceKind::Identity),
    ("@auth0/", "Auth0", ServiceKind::Identity),
    ("next-auth", "Auth.js", ServiceKind::Identity),
    ("@auth/", "Auth.js", ServiceKind::Identity),
    ("better-auth", "Better Auth", ServiceKind::Identity),
    ("passport", "Passport", ServiceKind::Identity),
    ("django-allauth", "django-allauth", ServiceKind::Identity),
];

/// The service a package name identifies, if any. Entries ending in `/`
/// or `-` are prefixes (`@ai-sdk/openai`, `langchain-openai`); the rest
/// match whole names only, so `ai` is not `aiohttp`.
pub fn service_of(name: &str) -> Option<(&'static str, ServiceKind)> {
    let name = name.to_ascii_lowercase();
    SERVICES.iter().find_map(|&(key, label, kind)| {
        let hit = if key.ends_with('/') || key.ends_with('-') {
            name.starts_with(key) && name.len() > key.len()
        } else {
            name == key
        };
        hit.then_some((label, kind))
    })
}

/// The services of the packages the project depends on directly (or, when
/// a file does not say, every package it lists), by kind.
pub fn services(packages: &[Package]) -> BTreeSet<(ServiceKind, &'static str)> {
    packages
        .iter()
        .filter(|p| p.direct != Some(false) && p.dev != Some(true))
        // `ai` is the Vercel AI SDK on npm only.
        .filter(|p| p.name != "ai" || p.ecosystem == Ecosystem::Npm)
        .filter_map(|p| service_of(&p.name).map(|(label, kind)| (kind, label)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_both_sides() {
        for (name, label) in [
            ("openai", "OpenAI"),
            ("@anthropic-ai/sdk", "Anthropic"),
            ("@ai-sdk/openai", "Vercel AI SDK"),
            ("ai", "Vercel AI SDK"),
            ("langchain-openai", "LangChain"),
            ("@supabase/supabase-js", "Supabase"),
            ("Stripe", "Stripe"),
            ("@sentry/nextjs", "Sentry"),
        ] {
            assert_eq!(service_of(name).map(|s| s.0), Some(label), "{name}");
        }
        for name in [
            "aiohttp",
            "openai-like-thing-unrelated",
            "@ai-sdk/",
            "stripe-mock-server",
            "supabase-fake",
            "react",
            "langchainjs-docs",
        ] {
            assert_eq!(service_of(name), None, "{name}");
        }
    }
}
