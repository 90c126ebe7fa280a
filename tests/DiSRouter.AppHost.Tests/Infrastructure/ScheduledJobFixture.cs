using System.Text.Json;
using System.Text.Json.Nodes;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.AppHost.Tests.Infrastructure;

/// <summary>
/// The app model with one agent serving a tiny checkpoint, and its training job on a schedule that fires every two
/// seconds (Quartz cron, seconds first), stages small enough to finish in seconds: a schedule the tests can watch fire,
/// and fire again while the job still runs (starting `dotnet run` alone takes longer than two seconds).
/// </summary>
public sealed class ScheduledJobFixture : NetworkFixture
{
    public const string Job = "selfaware-tiny";
    public const string Schedule = "0/2 * * * * ?";

    /// <summary>
    /// The Training tests' TinyWorld model size (TinyWorld itself uses the training CLI's internals): sampling and SFT
    /// take well under a second per step on two cores.
    /// </summary>
    private static readonly TransformerConfig Tiny = new()
    {
        VocabSize = 264, HiddenSize = 32, IntermediateSize = 96, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 2,
        MaxPositionEmbeddings = 512,
    };

    private readonly string _root = Directory.CreateTempSubdirectory("disrouter-apphost-jobs-").FullName;

    public string Serving => System.IO.Path.Combine(_root, "serving");
    public string Run => System.IO.Path.Combine(_root, "run");

    /// <summary>The serving checkpoint's weights as the network started with them.</summary>
    public byte[] WeightsAtStart { get; private set; } = [];

    protected override IEnumerable<string> Arguments => ["--config", System.IO.Path.Combine(_root, "topology.json"), "--gateway-port", "0"];

    public override async Task InitializeAsync()
    {
        Checkpoint.Save(System.IO.Path.Combine(_root, "base"), TransformerModel.Create(Tiny, seed: 1), ByteTokenizer.Default);
        // A checkpoint the job published before: the AppHost gives the agent its serving directory, not the base
        Checkpoint.Save(Serving, TransformerModel.Create(Tiny, seed: 5), ByteTokenizer.Default);
        WeightsAtStart = await File.ReadAllBytesAsync(System.IO.Path.Combine(Serving, "model.safetensors"));
        WriteLadderSamples(Run);
        var topology = new JsonObject
        {
            ["DiSRouter"] = new JsonObject
            {
                ["Agents"] = new JsonArray(new JsonObject { ["Name"] = "agent-1", ["Cost"] = 0.1, ["Backend"] = "local", ["Checkpoint"] = System.IO.Path.Combine(_root, "base") }),
                ["Jobs"] = new JsonArray(new JsonObject
                {
                    ["Name"] = Job, ["Agent"] = "agent-1", ["Base"] = System.IO.Path.Combine(_root, "base"), ["Run"] = Run, ["Publish"] = Serving,
                    ["Logs"] = System.IO.Path.Combine(_root, "logs"), ["Stages"] = new JsonArray("sample", "sft"),
                    ["Arguments"] = new JsonObject { ["sample"] = "--queries 3 --n 2 --max-new-tokens 8", ["sft"] = "--steps 2 --batch 4 --micro-batch 4 --lr 1e-3" },
                    ["Schedule"] = Schedule,
                }),
            },
        };
        await File.WriteAllTextAsync(System.IO.Path.Combine(_root, "topology.json"), topology.ToJsonString());
        await base.InitializeAsync();
    }

    /// <summary>
    /// samples.jsonl for nine queries answered correctly 0 … 8 times out of 8 (as the Training tests' TinyCheckpoints
    /// writes it), so SFT has queries to answer and to reject: a random tiny model's own samples are all wrong.
    /// </summary>
    private static void WriteLadderSamples(string run)
    {
        Directory.CreateDirectory(run);
        var lines = Enumerable.Range(0, 9).Select(c => JsonSerializer.Serialize(new
        {
            id = $"q{c}", family = "arith", difficulty = "easy", question = $"What is q{c}?", reference = "42",
            samples = Enumerable.Range(0, 8).Select(j => j < c
                ? new { text = $"Let's think step by step: path {j}. The final answer is: 42.", answer = "42", correct = true, tokens = 20 }
                : new { text = $"Let's think step by step: slip {j}. The final answer is: 41.", answer = "41", correct = false, tokens = 20 }),
        }));
        File.WriteAllText(System.IO.Path.Combine(run, "samples.jsonl"), string.Join("\n", lines) + "\n");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
