using System.CommandLine;
using System.Runtime.InteropServices;
using DiSRouter.Training.Commands;
using DiSRouter.Training.Jobs;

// Each command lives in Commands/<Name>Command.cs and builds its own System.CommandLine tree.
var root = new RootCommand("DiSRouter training: engine benchmark, nano pool, self-awareness pipeline, reports.");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(PretrainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(SampleCommand.Create());
root.Subcommands.Add(SftCommand.Create());
root.Subcommands.Add(RlCommand.Create());
root.Subcommands.Add(CalibrateCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(FitCommand.Create());
root.Subcommands.Add(JobCommand.Create());

// Ctrl+C and SIGTERM both stop a command gracefully: a stage saves its progress and exits 130. Registered here rather
// than left to System.CommandLine, which stops on SIGINT only; a process started from a shell's background job
// inherits SIGINT ignored, so SIGTERM is the signal a parent (the AppHost's job runner) can always rely on.
using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token);
