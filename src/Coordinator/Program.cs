Console.WriteLine("modernbert");
