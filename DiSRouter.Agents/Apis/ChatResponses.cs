using System.Text;
using DiSRouter.Agents.Backends;
using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Apis;

/// <summary>Builds OpenAI-shaped completions and chunks from a backend's generation.</summary>
internal static class ChatResponses
{
    public static ChatCompletionResponse Completion(string model, ChatGeneration generation) => new()
    {
        Id = NewId(),
        Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        Model = model,
        Choices = generation.Samples.Select((s, i) => new ChatChoice
        {
            Index = i,
            Message = new ChatMessage("assistant", s.Text),
            FinishReason = OpenAiFinishReason(s.FinishReason),
        }).ToList(),
        Usage = Usage(generation),
    };

    public static ChatUsage Usage(ChatGeneration generation) => new()
    {
        PromptTokens = generation.PromptTokens,
        CompletionTokens = generation.CompletionTokens,
        TotalTokens = generation.PromptTokens + generation.CompletionTokens,
    };

    /// <summary>
    /// A whole completion from a cascade's stream of chunks (one choice): the text joined, the last chunk's finish
    /// reason, usage and routing metadata. An error chunk yields the error instead: a failed answer is never half-sent.
    /// </summary>
    public static async Task<(ChatCompletionResponse? Response, StreamError? Error)> CollectAsync(IAsyncEnumerable<ChatCompletionChunk> chunks, CancellationToken ct)
    {
        var text = new StringBuilder();
        ChatCompletionResponse? response = null;
        await foreach (var chunk in chunks.WithCancellation(ct))
        {
            if (chunk.Error is { } error) return (null, error);
            response ??= new ChatCompletionResponse { Id = chunk.Id, Created = chunk.Created, Model = chunk.Model };
            foreach (var choice in chunk.Choices)
            {
                text.Append(choice.Delta.Content);
                if (choice.FinishReason is { } finish) response.Choices = [new ChatChoice { Index = 0, FinishReason = finish }];
            }
            response.Usage = chunk.Usage ?? response.Usage;
            response.DiSRouter = chunk.DiSRouter ?? response.DiSRouter;
        }
        if (response is not { Choices.Count: > 0 }) return (null, new StreamError { Message = "The answer's stream ended before its last chunk." });
        response.Choices[0].Message = new ChatMessage("assistant", text.ToString());
        return (response, null);
    }

    /// <summary>OpenAI knows "stop" and "length"; a reply stopped on purpose ended where the agent wanted it to.</summary>
    public static string OpenAiFinishReason(string reason) => reason == FinishReasons.Length ? FinishReasons.Length : FinishReasons.Stop;

    public static string NewId() => "chatcmpl-" + Guid.NewGuid().ToString("N");
}

/// <summary>The chunks of one streamed answer: same id, time and model on each.</summary>
internal sealed class ChunkFactory(string model)
{
    private readonly string _id = ChatResponses.NewId();
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public ChatCompletionChunk Role() => Chunk(new ChunkDelta { Role = "assistant", Content = "" });

    public ChatCompletionChunk Text(string text) => Chunk(new ChunkDelta { Content = text });

    public ChatCompletionChunk Last(string finishReason, ChatUsage usage, RoutingMetadata metadata)
    {
        var chunk = Chunk(new ChunkDelta(), finishReason);
        chunk.Usage = usage;
        chunk.DiSRouter = metadata;
        return chunk;
    }

    private ChatCompletionChunk Chunk(ChunkDelta delta, string? finish = null) => new()
    {
        Id = _id,
        Created = _created,
        Model = model,
        Choices = [new ChunkChoice { Index = 0, Delta = delta, FinishReason = finish }],
    };
}
