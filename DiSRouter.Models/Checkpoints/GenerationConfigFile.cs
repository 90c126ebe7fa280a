using System.Text.Json;
using System.Text.Json.Nodes;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Checkpoints;

/// <summary>
/// A Hugging Face generation_config.json: the model's own decoding defaults. Qwen2.5 chat models list two end tokens
/// (<c>eos_token_id: [151645, 151643]</c>, &lt;|im_end|&gt; and &lt;|endoftext|&gt;) and sample at temperature 0.7, top-p 0.8.
/// </summary>
public sealed record GenerationConfigFile(IReadOnlyList<int> EosTokenIds, float? Temperature, float? TopP, bool? DoSample)
{
    public const string FileName = "generation_config.json";

    /// <summary>The file in <paramref name="folder"/>, or null when there is none.</summary>
    public static GenerationConfigFile? Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject o) throw new CheckpointException(path, "the top level is not a JSON object");
            var eos = o["eos_token_id"] switch
            {
                JsonArray a => a.Select(n => (int)n!).ToArray(),
                JsonValue v => [(int)v],
                _ => Array.Empty<int>(),
            };
            return new GenerationConfigFile(eos, (float?)(double?)o["temperature"], (float?)(double?)o["top_p"], (bool?)o["do_sample"]);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new CheckpointException(path, "not a valid generation config: " + e.Message, e);
        }
    }

    /// <summary>
    /// <paramref name="options"/> with the model's sampling defaults (greedy when do_sample is false) and every end
    /// token other than the tokenizer's eos as a stop string (a special token decodes to its name).
    /// </summary>
    public GenerationOptions ApplyTo(GenerationOptions options, ITokenizer tokenizer)
    {
        var stops = options.StopStrings.ToList();
        foreach (int id in EosTokenIds)
            if (id != tokenizer.EosId && (uint)id < (uint)tokenizer.VocabSize && tokenizer.Decode([id]) is { Length: > 0 } name && !stops.Contains(name))
                stops.Add(name);
        return options with
        {
            Temperature = DoSample == false ? 0f : Temperature ?? options.Temperature,
            TopP = DoSample == false ? options.TopP : TopP ?? options.TopP,
            StopStrings = stops,
        };
    }
}
