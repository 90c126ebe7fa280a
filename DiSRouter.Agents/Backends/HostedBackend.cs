using DiSRouter.Core.Scenarios;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;
using WireMessage = DiSRouter.Core.Routing.ChatMessage;

namespace DiSRouter.Agents.Backends;

/// <summary>
/// A model behind an OpenAI-compatible API (OpenAI, Azure OpenAI v1, vLLM, Ollama, another agent's raw endpoint),
/// reached through the official OpenAI SDK. Replies are streamed so that a rejection stops the read after its first
/// tokens: leaving the stream closes the connection and the server stops generating.
/// </summary>
internal sealed class HostedBackend : IChatBackend
{
    public const string HttpClientName = "DiSRouter.Agents.Hosted";

    private readonly ChatClient _client;
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
        _client = new ChatClient(o.Model, new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = endpoint,
            // Through IHttpClientFactory, so the calls share ServiceDefaults' handlers (telemetry, discovery).
            Transport = new HttpClientPipelineTransport(httpClientFactory.CreateClient(HttpClientName)),
            NetworkTimeout = TimeSpan.FromSeconds(o.ForwardTimeoutSeconds),
        });
    }

    public string ModelName { get; }

    public bool NeedsProtocolPrompt => true;

    public ScenarioPromptStyle PromptStyle => ScenarioPromptStyle.Full;

    public async Task<ChatGeneration> GenerateAsync(ChatPrompt prompt, GenerationSettings settings,
        Func<int, string, bool>? shouldContinue, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var messages = ToSdkMessages(prompt);
        var options = ToSdkOptions(settings);
        try
        {
            // The chat API's n is not exposed by the SDK; samples are separate calls, run side by side.
            var results = await Task.WhenAll(Enumerable.Range(0, settings.N).Select(i => StreamOneAsync(i, messages, options, shouldContinue, sw, ct)));
            var firstChunks = results.Where(r => r.FirstChunk is not null).Select(r => r.FirstChunk!.Value).ToList();
            return new ChatGeneration(results.Select(r => r.Sample).ToList(), results.Max(r => r.PromptTokens), sw.Elapsed,
                firstChunks.Count == 0 ? null : firstChunks.Min());
        }
        catch (ClientResultException ex)
        {
            throw new ModelUnavailableException($"The hosted model '{ModelName}' at {_endpoint} answered HTTP {ex.Status}: {ex.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ModelUnavailableException($"The hosted model '{ModelName}' at {_endpoint} cannot be reached: {ex.Message}", ex);
        }
    }

    private async Task<(ChatSample Sample, int PromptTokens, TimeSpan? FirstChunk)> StreamOneAsync(int index, List<ChatMessage> messages,
        ChatCompletionOptions options, Func<int, string, bool>? shouldContinue, Stopwatch sw, CancellationToken ct)
    {
        var text = new StringBuilder();
        TimeSpan? firstChunk = null;
        int chunks = 0, promptTokens = 0;
        int? completionTokens = null;
        var finish = FinishReasons.Stop;
        await foreach (var update in _client.CompleteChatStreamingAsync(messages, options, ct).WithCancellation(ct))
        {
            foreach (var part in update.ContentUpdate)
            {
                firstChunk ??= sw.Elapsed; // the server's time to first token, the network's legs included
                text.Append(part.Text);
                chunks++;
            }
            if (update.FinishReason is { } reason) finish = reason == ChatFinishReason.Length ? FinishReasons.Length : FinishReasons.Stop;
            if (update.Usage is { } usage)
            {
                promptTokens = usage.InputTokenCount;
                completionTokens = usage.OutputTokenCount;
            }
            if (update.ContentUpdate.Count > 0 && shouldContinue is not null && !shouldContinue(index, text.ToString()))
            {
                finish = FinishReasons.Aborted;
                break; // disposing the stream closes the connection: the server stops paying too
            }
        }
        // A stream left early carries no usage; its content chunks are the best count of tokens received.
        return (new ChatSample(text.ToString(), finish, completionTokens ?? chunks), promptTokens, firstChunk);
    }

    private static List<ChatMessage> ToSdkMessages(ChatPrompt prompt)
    {
        var messages = new List<ChatMessage>();
        var system = prompt.System;
        if (prompt.AssistantPrefix is { } prefix)
            system = (system is null ? "" : system + "\n\n") + $"Begin your reply with \"{prefix}\".";
        if (!string.IsNullOrEmpty(system)) messages.Add(new SystemChatMessage(system));
        foreach (var turn in prompt.Turns)
            messages.Add(turn.Role == "assistant" ? new AssistantChatMessage(turn.Content) : ToUser(turn));
        return messages;
    }

    private static UserChatMessage ToUser(WireMessage m) => new(m.Content);

    private static ChatCompletionOptions ToSdkOptions(GenerationSettings s)
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = s.MaxNewTokens };
        if (s.Temperature is { } t) options.Temperature = (float)t;
        if (s.TopP is { } p) options.TopP = (float)p;
#pragma warning disable OPENAI001 // seed is marked experimental in the SDK; OpenAI-compatible servers honour it
        if (s.Seed is { } seed) options.Seed = seed;
#pragma warning restore OPENAI001
        foreach (var stop in s.Stop) options.StopSequences.Add(stop);
        return options;
    }
}
