using System.CommandLine;
using DiSRouter.Training.Commands;

// Each command lives in Commands/<Name>Command.cs and builds its own System.CommandLine tree.
var root = new RootCommand("DiSRouter training: engine benchmark, nano pool, self-awareness pipeline, reports.");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(PretrainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(SampleCommand.Create());
root.Subcommands.Add(SftCommand.Create());
root.Subcommands.Add(RlCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
return root.Parse(args).Invoke();
