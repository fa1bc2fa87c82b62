using System.Runtime.InteropServices;
using DevStack;

if (args.Contains("--help"))
{
    Console.WriteLine(StackSettings.Usage);
    return 0;
}

using var stopping = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
try
{
    return await Stack.RunAsync(StackSettings.Parse(args), stopping.Token);
}
catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FileNotFoundException)
{
    await Console.Error.WriteLineAsync($"DevStack: {ex.Message}");
    return 2;
}

void Stop(PosixSignalContext context)
{
    // Stop in order (API, worker, broker) instead of letting the runtime end the process at once.
    context.Cancel = true;
    stopping.Cancel();
}
