using System.Runtime.CompilerServices;
using Azure.AI.Inference;
using Microsoft.Extensions.AI;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using ChatRole = Microsoft.Extensions.AI.ChatRole;

namespace DiSRouter.Agents.Backends;

/// <summary>
/// Azure.AI.Inference's chat client (Azure AI Foundry, GitHub Models, any endpoint of that API) as an
/// <see cref="IChatClient"/>, so a hosted agent has one seam over it and the OpenAI SDK. No package with this adapter
/// restores here, hence this one: text in and out, sampling settings, usage and finish reason; no tools.
/// </summary>
internal sealed class AzureInferenceChatClient(ChatCompletionsClient client, string model) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new ChatCompletionsOptions(messages.Select(ToRequestMessage)) { Model = options?.ModelId ?? model };
        if (options?.MaxOutputTokens is { } max) request.MaxTokens = max;
        if (options?.Temperature is { } t) request.Temperature = t;
        if (options?.TopP is { } p) request.NucleusSamplingFactor = p;
        if (options?.Seed is { } seed) request.Seed = seed;
        foreach (var stop in options?.StopSequences ?? []) request.StopSequences.Add(stop);

        var stream = await client.CompleteStreamingAsync(request, cancellationToken);
        await foreach (var u in stream.WithCancellation(cancellationToken))
        {
            var update = new ChatResponseUpdate(ChatRole.Assistant, u.ContentUpdate)
            {
                ResponseId = u.Id,
                ModelId = u.Model,
                CreatedAt = u.Created,
                FinishReason = u.FinishReason?.ToString() switch
                {
                    null => null,
                    "length" => ChatFinishReason.Length,
                    _ => ChatFinishReason.Stop,
                },
            };
            if (u.Usage is { } usage)
                update.Contents.Add(new UsageContent(new UsageDetails
                {
                    InputTokenCount = usage.PromptTokens,
                    OutputTokenCount = usage.CompletionTokens,
                    TotalTokenCount = usage.TotalTokens,
                }));
            yield return update;
        }
    }

    private static ChatRequestMessage ToRequestMessage(AiChatMessage m) =>
        m.Role == ChatRole.System ? new ChatRequestSystemMessage(m.Text)
        : m.Role == ChatRole.Assistant ? new ChatRequestAssistantMessage(m.Text)
        : new ChatRequestUserMessage(m.Text);

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : serviceKey is null && serviceType.IsInstanceOfType(client) ? client
        : null;

    public void Dispose()
    {
    }
}
