using System.Runtime.InteropServices;
using Recur.Cli;

// The first Ctrl+C (SIGINT) or SIGTERM asks the running command to stop after its current step (training keeps the
// best epoch so far, if one was complete); a second one ends the process at once.
using var cancel = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
return App.Run(args, Console.Out, Console.Error, cancel.Token);
