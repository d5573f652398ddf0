/* agent.h - `aiotone-session agent`: runs on a remote machine of a
 * multi-host session (docs/sessions.md "Studios across machines"). */
#ifndef SS_AGENT_H
#define SS_AGENT_H

/* Run the agent with the arguments after "agent"; returns the exit
 * status (0 stopped by a signal, 1 runtime failure, 2 bad usage). */
int ss_agent_main(int argc, char **argv);

#endif
