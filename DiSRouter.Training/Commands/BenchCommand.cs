using System.CommandLine;
using DiSRouter.Training.Bench;

namespace DiSRouter.Training.Commands;

/// <summary><c>bench engine</c> and <c>bench gemm</c>: the engine's speed, printed so it compares with ../shared/bench/torch_reference.py.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure the engine's speed (run in Release on a quiet machine).");

        var json = new Option<bool>("--json") { Description = "Print one JSON line per config and nothing else." };
        var configs = new Option<string>("--configs") { Description = "Which of the configs a, b, c to run.", DefaultValueFactory = _ => "abc" };
        var engine = new Command("engine", "Train, generate and forward throughput on the three benchmark decoders (as torch_reference.py).");
        engine.Options.Add(json);
        engine.Options.Add(configs);
        engine.SetAction(parse => EngineBench.Run(Console.Out, parse.GetValue(configs) ?? "abc", parse.GetValue(json)));
        command.Subcommands.Add(engine);

        var gemmJson = new Option<bool>("--json") { Description = "Print JSON lines." };
        var gemm = new Command("gemm", "fp32 GEMM GFLOP/s of the engine's kernels.");
        gemm.Options.Add(gemmJson);
        gemm.SetAction(parse => { GemmBench.Run(Console.Out, parse.GetValue(gemmJson)); return 0; });
        command.Subcommands.Add(gemm);
        return command;
    }
}
