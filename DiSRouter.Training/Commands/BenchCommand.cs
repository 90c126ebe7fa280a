using System.CommandLine;
using DiSRouter.Models.Kernels;
using DiSRouter.Training.Bench;

namespace DiSRouter.Training.Commands;

/// <summary>
/// <c>bench engine</c> and <c>bench gemm</c>: the engine's speed, printed so it compares with ../shared/bench/torch_reference.py;
/// <c>bench generate</c>: where a served checkpoint's generation call spends its time.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure the engine's speed (run in Release on a quiet machine).");

        var json = new Option<bool>("--json") { Description = "Print one JSON line per config and nothing else." };
        var configs = new Option<string>("--configs") { Description = "Which of the configs a, b, c to run.", DefaultValueFactory = _ => "abc" };
        var engines = new Option<string>("--engines") { Description = "Engines to time side by side: disrouter, torchsharp (comma-separated).", DefaultValueFactory = _ => "disrouter" };
        var device = new Option<string>("--device") { Description = "Device of the torchsharp engine: cpu, cuda or auto.", DefaultValueFactory = _ => "cpu" };
        var engine = new Command("engine", "Train, generate and forward throughput on the benchmark decoders a, b, c (as torch_reference.py) and q (Qwen2.5-0.5B's shape).");
        engine.Options.Add(json);
        engine.Options.Add(configs);
        engine.Options.Add(engines);
        engine.Options.Add(device);
        engine.SetAction(parse => EngineBench.Run(Console.Out, parse.GetValue(configs) ?? "abc", parse.GetValue(json), parse.GetValue(engines) ?? "disrouter", parse.GetValue(device) ?? "cpu"));
        command.Subcommands.Add(engine);

        var ckptOut = new Option<string>("--out") { Description = "Folder to write the checkpoint into.", Required = true };
        var ckptPositions = new Option<int>("--max-positions") { Description = "Context of the written config (q's own is 128, too short for an SFT example).", DefaultValueFactory = _ => 1024 };
        var checkpoint = new Command("checkpoint", "Write config q (Qwen2.5-0.5B's shape) as a random float32 checkpoint with the byte tokenizer: a real-sized model to train a step of and measure (docs/real-models.md).");
        checkpoint.Options.Add(ckptOut);
        checkpoint.Options.Add(ckptPositions);
        checkpoint.SetAction(parse => EngineBench.WriteCheckpoint(Console.Out, parse.GetValue(ckptOut)!, parse.GetValue(ckptPositions)));
        command.Subcommands.Add(checkpoint);

        var gemmJson = new Option<bool>("--json") { Description = "Print JSON lines." };
        var gemm = new Command("gemm", "fp32 GEMM GFLOP/s of the engine's kernels.");
        gemm.Options.Add(gemmJson);
        gemm.SetAction(parse => { GemmBench.Run(Console.Out, parse.GetValue(gemmJson)); return 0; });
        command.Subcommands.Add(gemm);

        var genJson = new Option<bool>("--json") { Description = "Print one JSON line per checkpoint and nothing else." };
        var checkpoints = new Option<string>("--checkpoints") { Description = "A checkpoint folder, or a folder of them.", DefaultValueFactory = _ => "models/nano-selfaware" };
        var prompts = new Option<int>("--prompts") { Description = "Test questions per checkpoint.", DefaultValueFactory = _ => 60 };
        var answerTokens = new Option<int>("--answer-tokens") { Description = "Tokens of the answer call.", DefaultValueFactory = _ => 80 };
        var gap = new Option<int>("--gap-ms") { Description = "Idle time before each call, as an agent idles between its requests.", DefaultValueFactory = _ => 5 };
        var rounds = new Option<int>("--rounds") { Description = "Timed passes over the prompts.", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "Engine threads per call (0: one per processor). Default 1, as an agent runs: one generation per core, each on one thread.", DefaultValueFactory = _ => 1 };
        var repacked = new Option<bool>("--compare-repacked") { Description = "Also time each call with the weights re-packed per product (the engine before PackedWeight), interleaved." };
        var generate = new Command("generate", "A rejection (stopped at the first token) against an answer: set-up, prefill, first token, decode.");
        foreach (var o in new Option[] { genJson, checkpoints, prompts, answerTokens, gap, rounds, threads, repacked }) generate.Options.Add(o);
        generate.SetAction(parse =>
        {
            if (parse.GetValue(threads) < 0) { Console.Error.WriteLine("--threads must be 0 (one per processor) or more."); return 2; }
            EngineThreads.Count = parse.GetValue(threads) > 0 ? parse.GetValue(threads) : Environment.ProcessorCount;
            return GenerationBench.Run(Console.Out, parse.GetValue(checkpoints)!, parse.GetValue(prompts), parse.GetValue(answerTokens),
                parse.GetValue(gap), parse.GetValue(rounds), parse.GetValue(genJson), parse.GetValue(repacked));
        });
        command.Subcommands.Add(generate);

        // The network's options are its own (bench network --help): every token after "network" goes to it.
        var network = new Command("network", "The network, started through the AppHost: routing overhead per hop, and the cascade against the largest agent alone at each α.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        network.SetAction((parse, ct) => NetworkBench.NetworkBench.RunAsync(parse.UnmatchedTokens, Pool.PoolPaths.RepositoryRoot(), ct));
        command.Subcommands.Add(network);
        return command;
    }
}
