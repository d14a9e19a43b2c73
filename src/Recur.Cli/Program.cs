using Recur.Cli;

// The first Ctrl+C asks the running command to stop after its current step (the demo still saves);
// a second one ends the process at once.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};

return App.Run(args, Console.Out, Console.Error, cancel.Token);
