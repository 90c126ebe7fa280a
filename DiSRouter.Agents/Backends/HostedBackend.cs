using DiSRouter.Core.Scenarios;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Text;
using Azure;
using Azure.AI.Inference;
using Azure.Core.Pipeline;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using ChatRole = Microsoft.Extensions.AI.ChatRole;
using WireMessage = DiSRouter.Core.Routing.ChatMessage;

namespace DiSRouter.Agents.Backends;

/// <summary>
/// A model behind a hosted API, reached through Microsoft.Extensions.AI's <see cref="IChatClient"/>: the official OpenAI
/// SDK for OpenAI-compatible servers (OpenAI, vLLM, Ollama, llama.cpp, another agent's raw endpoint; Agent:Api
/// <c>openai</c>), or Azure.AI.Inference (Azure AI Foundry, GitHub Models; Agent:Api <c>azure-inference</c>). Replies are
/// streamed either way, so a rejection stops the read after its first tokens: leaving the stream closes the connection
/// and the server stops generating, and an answer's tokens reach the caller as they come.
/// </summary>
internal sealed class HostedBackend : IChatBackend, IDisposable
{
    public const string HttpClientName = "DiSRouter.Agents.Hosted";

    private readonly IChatClient _client;
    private readonly Uri _endpoint;

    public HostedBackend(IOptions<AgentOptions> options, IHttpClientFactory httpClientFactory)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.Endpoint) || !Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var endpoint))
            throw new InvalidOperationException($"Agent '{o.Name}': a hosted backend needs Agent:Endpoint, an absolute URL (got '{o.Endpoint}').");
        if (string.IsNullOrWhiteSpace(o.Model))
            throw new InvalidOperationException($"Agent '{o.Name}': a hosted backend needs Agent:Model, the model's name at {endpoint}.");
        if (string.IsNullOrWhiteSpace(o.ApiKeyEnv))
            throw new InvalidOperationException($"Agent '{o.Name}': a hosted backend needs Agent:ApiKeyEnv, the name of the environment variable holding the API key.");
        var key = Environment.GetEnvironmentVariable(o.ApiKeyEnv);
        if (string.IsNullOrEmpty(key))
            throw new InvalidOperationException($"Agent '{o.Name}': the environment variable {o.ApiKeyEnv} (Agent:ApiKeyEnv) holding the API key for {endpoint} is not set.");

        ModelName = o.Model;
        _endpoint = endpoint;
        // Through IHttpClientFactory, so the calls share ServiceDefaults' handlers (telemetry, trace context).
        var http = httpClientFactory.CreateClient(HttpClientName);
        var timeout = TimeSpan.FromSeconds(o.HostedTimeoutSeconds);
        _client = o.Api switch
        {
            HostedApi.AzureInference => new AzureInferenceChatClient(new ChatCompletionsClient(endpoint, new AzureKeyCredential(key),
                new AzureAIInferenceClientOptions { Transport = new HttpClientTransport(http), Retry = { NetworkTimeout = timeout } }), o.Model),
            _ => new OpenAI.Chat.ChatClient(o.Model, new ApiKeyCredential(key), new OpenAIClientOptions
            {
                Endpoint = endpoint,
                Transport = new HttpClientPipelineTransport(http),
                NetworkTimeout = timeout,
            }).AsIChatClient(),
        };
    }

    public string ModelName { get; }

    public bool NeedsProtocolPrompt => true;

    public ScenarioPromptStyle PromptStyle => ScenarioPromptStyle.Full;

    public async Task<ChatGeneration> GenerateAsync(ChatPrompt prompt, GenerationSettings settings,
        Func<int, string, bool>? shouldContinue, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var messages = ToMessages(prompt);
        var options = ToOptions(settings);
        try
        {
            // n is not part of IChatClient's options; samples are separate calls, run side by side.
            var results = await Task.WhenAll(Enumerable.Range(0, settings.N).Select(i => StreamOneAsync(i, messages, options, shouldContinue, sw, ct)));
            var firstChunks = results.Where(r => r.FirstChunk is not null).Select(r => r.FirstChunk!.Value).ToList();
            return new ChatGeneration(results.Select(r => r.Sample).ToList(), results.Max(r => r.PromptTokens), sw.Elapsed,
                firstChunks.Count == 0 ? null : firstChunks.Min());
        }
        catch (ClientResultException ex)
        {
            throw new ModelUnavailableException($"The hosted model '{ModelName}' at {_endpoint} answered HTTP {ex.Status}: {ex.Message}", ex);
        }
        catch (RequestFailedException ex)
        {
            throw new ModelUnavailableException($"The hosted model '{ModelName}' at {_endpoint} answered HTTP {ex.Status}: {ex.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ModelUnavailableException($"The hosted model '{ModelName}' at {_endpoint} cannot be reached: {ex.Message}", ex);
        }
    }

    private async Task<(ChatSample Sample, int PromptTokens, TimeSpan? FirstChunk)> StreamOneAsync(int index, List<AiChatMessage> messages,
        ChatOptions options, Func<int, string, bool>? shouldContinue, Stopwatch sw, CancellationToken ct)
    {
        var text = new StringBuilder();
        TimeSpan? firstChunk = null;
        int chunks = 0, promptTokens = 0;
        int? completionTokens = null;
        var finish = FinishReasons.Stop;
        await foreach (var update in _client.GetStreamingResponseAsync(messages, options, ct).WithCancellation(ct))
        {
            var piece = update.Text;
            if (piece.Length > 0)
            {
                firstChunk ??= sw.Elapsed; // the server's time to first token, the network's legs included
                text.Append(piece);
                chunks++;
            }
            if (update.FinishReason is { } reason) finish = reason == ChatFinishReason.Length ? FinishReasons.Length : FinishReasons.Stop;
            foreach (var usage in update.Contents.OfType<UsageContent>())
            {
                promptTokens = (int)(usage.Details.InputTokenCount ?? promptTokens);
                completionTokens = (int?)usage.Details.OutputTokenCount ?? completionTokens;
            }
            if (piece.Length > 0 && shouldContinue is not null && !shouldContinue(index, text.ToString()))
            {
                finish = FinishReasons.Aborted;
                break; // disposing the stream closes the connection: the server stops paying too
            }
        }
        // A stream left early carries no usage; its content chunks are the best count of tokens received.
        return (new ChatSample(text.ToString(), finish, completionTokens ?? chunks), promptTokens, firstChunk);
    }

    private static List<AiChatMessage> ToMessages(ChatPrompt prompt)
    {
        var messages = new List<AiChatMessage>();
        var system = prompt.System;
        if (prompt.AssistantPrefix is { } prefix)
            system = (system is null ? "" : system + "\n\n") + $"Begin your reply with \"{prefix}\".";
        if (!string.IsNullOrEmpty(system)) messages.Add(new AiChatMessage(ChatRole.System, system));
        foreach (WireMessage turn in prompt.Turns)
            messages.Add(new AiChatMessage(turn.Role == "assistant" ? ChatRole.Assistant : ChatRole.User, turn.Content));
        return messages;
    }

    private static ChatOptions ToOptions(GenerationSettings s) => new()
    {
        MaxOutputTokens = s.MaxNewTokens,
        Temperature = s.Temperature is { } t ? (float)t : null,
        TopP = s.TopP is { } p ? (float)p : null,
        Seed = s.Seed,
        StopSequences = s.Stop.Count == 0 ? null : s.Stop.ToList(),
    };

    public void Dispose() => _client.Dispose();
}

/// <summary>The hosted APIs an agent speaks (Agent:Api).</summary>
internal static class HostedApi
{
    public const string OpenAI = "openai";
    public const string AzureInference = "azure-inference";
}
