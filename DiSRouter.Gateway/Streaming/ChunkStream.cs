using System.Text.Json;
using System.Text.RegularExpressions;
using DiSRouter.Core.Routing;

namespace DiSRouter.Gateway.Streaming;

/// <summary>
/// Turns a finished chat completion into OpenAI's stream of chunks. The cascade decides answer-or-reject on the
/// first tokens and a rejected request continues at another agent, so agents return whole responses; the gateway
/// streams the final text word by word, which keeps clients that only speak streaming working. The routing
/// metadata and usage ride on the last chunk, followed by the "[DONE]" sentinel.
/// </summary>
internal static partial class ChunkStream
{
    public const string Done = "[DONE]";

    public static IEnumerable<string> From(ChatCompletionResponse response)
    {
        ChatCompletionChunk Chunk() => new() { Id = response.Id, Created = response.Created, Model = response.Model };

        foreach (var choice in response.Choices)
        {
            var first = Chunk();
            first.Choices.Add(new ChunkChoice { Index = choice.Index, Delta = new ChunkDelta { Role = choice.Message.Role, Content = "" } });
            yield return Serialize(first);

            foreach (Match piece in Pieces().Matches(choice.Message.Content ?? ""))
            {
                var chunk = Chunk();
                chunk.Choices.Add(new ChunkChoice { Index = choice.Index, Delta = new ChunkDelta { Content = piece.Value } });
                yield return Serialize(chunk);
            }
        }

        var last = Chunk();
        foreach (var choice in response.Choices)
            last.Choices.Add(new ChunkChoice { Index = choice.Index, Delta = new ChunkDelta(), FinishReason = choice.FinishReason });
        last.Usage = response.Usage;
        last.DiSRouter = response.DiSRouter;
        yield return Serialize(last);
        yield return Done;
    }

    /// <summary>A word with the whitespace before it, so that the pieces concatenate back to the exact text.</summary>
    [GeneratedRegex(@"\s*\S+|\s+$")]
    private static partial Regex Pieces();

    private static string Serialize(ChatCompletionChunk chunk) => JsonSerializer.Serialize(chunk, GatewayJson.ChunkOptions);
}
