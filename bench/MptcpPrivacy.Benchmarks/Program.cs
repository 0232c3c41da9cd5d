using BenchmarkDotNet.Running;
using MptcpPrivacy.Benchmarks.Privacy;
using MptcpPrivacy.Benchmarks.Simulation;

if (args.Length > 0 && args[0] == SimulationFigures.Switch)
{
    return SimulationFigures.Run(args[1..]);
}

if (args.Length > 0 && args[0] == PrivacyFigures.Switch)
{
    return PrivacyFigures.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
