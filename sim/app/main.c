/* main.c - the domino command line (stub until the models land). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        puts("usage: domino run|check|compare|sweep|plot FILE [options]");
        return 0;
    }
    fputs("domino: not implemented yet\n", stderr);
    return 2;
}
