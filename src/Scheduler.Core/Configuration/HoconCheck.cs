using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Scheduler.Core.Configuration;

/// <summary>
/// Akka's HOCON parser is lenient: an unclosed <c>{</c>, a stray word or a key without a value parse
/// without an error and silently drop or garble settings. Operator files are checked here first, so a
/// typo stops start-up with the line or key instead of running with half a configuration.
/// </summary>
public static class HoconCheck
{
    /// <summary>Null when the text is well-formed HOCON, else one line naming the first problem.</summary>
    public static string? Problem(string text) => StructureProblem(text) ?? ValueProblem(text);

    /// <summary>Brackets and quotes, outside strings and comments, with the line they are on.</summary>
    private static string? StructureProblem(string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
            }
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n')
                {
                    i++;
                }
            }
            else if (c == '"' && string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
            {
                var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (end < 0)
                {
                    return $"line {line}: unterminated \"\"\" string";
                }

                line += text.AsSpan(i, end - i).Count('\n');
                i = end + 2;
            }
            else if (c == '"')
            {
                var start = line;
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\')
                    {
                        i++;
                    }
                    else if (text[i] == '\n')
                    {
                        return $"line {start}: unterminated string";
                    }
                }

                if (i >= text.Length)
                {
                    return $"line {start}: unterminated string";
                }
            }
            else if (c is '{' or '[')
            {
                open.Push((c, line));
            }
            else if (c is '}' or ']')
            {
                var expected = c == '}' ? '{' : '[';
                if (open.Count == 0 || open.Peek().Bracket != expected)
                {
                    return $"line {line}: '{c}' without a matching '{expected}'";
                }

                open.Pop();
            }
        }

        return open.Count > 0 ? $"line {open.Peek().Line}: '{open.Peek().Bracket}' is never closed" : null;
    }

    /// <summary>Every key must have a value: a stray word or <c>key =</c> alone parses as a key without one.</summary>
    private static string? ValueProblem(string text)
    {
        try
        {
            return Walk(ConfigurationFactory.ParseString(text).Root, "", text);
        }
        catch (Exception e)
        {
            return e.Message.Split('\n')[0].Trim();
        }
    }

    private static string? Walk(HoconValue value, string path, string text)
    {
        if (value.IsObject())
        {
            foreach (var (key, child) in value.GetObject().Items)
            {
                // An unquoted key cannot hold white space: the parser joined a stray word with the next key.
                if (key.Any(char.IsWhiteSpace) && !text.Contains($"\"{key}\"", StringComparison.Ordinal))
                {
                    var shown = string.Join(' ', key.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                    return $"'{shown}' is not a key (a word without a value before it?)";
                }

                if (Walk(child, path.Length == 0 ? key : $"{path}.{key}", text) is { } problem)
                {
                    return problem;
                }
            }

            return null;
        }

        return value.Values.Count == 0 ? $"'{path}' has no value" : null;
    }
}
