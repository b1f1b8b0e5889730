namespace ModernBert.Coordinator.Cli;

/// <summary>
/// A terminal's error stream shared by a status line redrawn in place (a run's progress) and the lines written
/// meanwhile (log lines): a line clears the status line, takes a row of its own, and the status line is drawn again
/// below it, so that neither runs into the other. The status line is cut to the terminal's width, as a wrapped one
/// could not be redrawn in place.
/// </summary>
public sealed class TerminalStatusLine(TextWriter writer, Func<int> width)
{
    private readonly Lock _lock = new();
    private string _status = "";

    /// <summary>Draws <paramref name="status"/> in place of the current status line.</summary>
    public void Show(string status)
    {
        lock (_lock)
        {
            int columns = width() - 1;
            if (columns > 0 && status.Length > columns)
                status = status[..columns];
            writer.Write($"\r{status.PadRight(_status.Length)}");
            _status = status;
            writer.Flush();
        }
    }

    /// <summary>Writes a line above the status line.</summary>
    public void WriteLine(string line)
    {
        lock (_lock)
        {
            if (_status.Length > 0)
                writer.Write($"\r{new string(' ', _status.Length)}\r");
            writer.WriteLine(line);
            writer.Write(_status);
            writer.Flush();
        }
    }

    /// <summary>Leaves the last status line on the terminal, ending its row; later lines go below it.</summary>
    public void End()
    {
        lock (_lock)
        {
            if (_status.Length > 0)
                writer.WriteLine();
            _status = "";
            writer.Flush();
        }
    }
}
