Console.WriteLine("modernbert-worker");
