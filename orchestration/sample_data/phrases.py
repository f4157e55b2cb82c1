"""Phrase banks for free text. Tone-keyed banks are (negative, neutral, positive) tuples.

Placeholders: {name} the customer's full name, {first} their first name, {agent} the agent's first
name, {email}, {phone}, {card} (a Luhn-valid card number), {issue} (a category issue clause),
{brand} the client's name, {handle} the brand's social handle.
"""

from __future__ import annotations

# Issue clauses per category, in catalog.CATEGORIES order.
ISSUES = (
    (
        "I was charged twice on my last bill",
        "my invoice is much higher than usual and I don't understand why",
        "there's a fee on my statement I never agreed to",
        "my payment went through but the account still shows it as overdue",
        "I need a refund for an overcharge, it's been weeks",
    ),
    (
        "the app keeps crashing when I log in",
        "my service has been down since this morning",
        "I can't reset my password, the link doesn't work",
        "the website shows an error at checkout",
        "my connection drops every few minutes",
    ),
    (
        "I need to update the address on my account",
        "I want to change my plan",
        "I'm locked out of my account",
        "please update the phone number on my account",
        "I'd like to add my partner as an authorised user",
    ),
    (
        "my order hasn't arrived yet",
        "the tracking hasn't updated in five days",
        "the package was delivered to the wrong address",
        "my replacement card never came",
        "my bag didn't arrive with my flight",
    ),
    (
        "I want to cancel my contract",
        "please close my account",
        "I want to know how to cancel without paying the exit fee",
        "I'm switching to another provider",
    ),
    (
        "I have a question about your opening hours",
        "where do I send a formal complaint",
        "I'd like some information about your current offers",
        "I just want to give some feedback",
    ),
)

FEEDBACK = (
    (
        "Waited far too long to get through, terrible service.",
        "Still not fixed. This is the third time I've contacted you, really frustrating.",
        "I was transferred twice and had to repeat everything, awful.",
        'Useless. They said "it will be sorted in 24 hours", nothing happened.',
        "Rude agent, didn't listen. Very disappointed and angry.",
        "Useless, the problem is worse now.",
        "Long hold, no answer, really poor. I'm thinking of leaving.",
        "Horrible experience, nobody could help me. Awful.",
        "Confusing answers and it's still broken. Bad service!",
    ),
    (
        "It was ok.",
        "Average, took a while.",
        "Got the information I needed.",
        "The issue is still pending, we'll see.",
        "Just checking the status.",
        "As expected.",
        "The usual process.",
    ),
    (
        "Great service, thank you!",
        "Quick and easy, problem solved.",
        "Very helpful and friendly, thanks a lot.",
        "Excellent, everything was explained clearly.",
        "Fantastic support, sorted in minutes!",
        "Happy with the help, thanks again.",
        "Brilliant, I really appreciate the patience.",
        'Best support I\'ve had, "above and beyond" as they say.',
    ),
)

AGENT_MENTION = (
    ("{agent} was not helpful at all.", "{agent} hung up on me, so rude!", "{agent} was useless and slow."),
    ("Spoke to {agent}.", "{agent} took my details.", "{agent} said someone would call back."),
    ("{agent} was amazing.", "Please thank {agent} for me, great job.", "{agent} was so kind and helpful."),
)

# Personal data people volunteer, by kind: name, email, phone, card.
PII_SENTENCES = (
    ("This is {name}, the account holder.", "- {name}", "Regards, {name}"),
    ("My email is {email}, please send the confirmation.", "Reply to {email}", "Contact me at {email}."),
    ("Call me back on {phone}.", "My number is {phone}", "Text me at {phone}, thanks."),
    ("You charged my card {card} twice.", "The card is {card}", "Card number {card}, expiry 09/28"),
)

BOT_GREETING = (
    "Hi! I'm the {brand} virtual assistant. How can I help today?",
    "Welcome to {brand} chat. Please describe your issue and an agent will be with you shortly.",
    "Hello, you're chatting with {brand}. Connecting you to an agent...",
)
CUSTOMER_OPENING = (
    "Hi, {issue}.",
    "Hello, {issue}. Can you help?",
    "{issue}!!",
    "hi {issue}",
    "Good morning, {issue}.",
)
CUSTOMER_WAITING = ("Hello? Is anyone there?", "I've been waiting for ages...", "Anyone?", "ok never mind")
AGENT_GREETING = (
    "Hi {first}, my name is {agent} and I'll be helping you today.",
    "Thanks for waiting, this is {agent}. Let me look into that for you.",
    "Hello! {agent} here, I'm sorry to hear that. Let me check.",
    "Hi there, I'm {agent}. Could you confirm your full name and email, please?",
)
CUSTOMER_DETAIL = (
    "Sure, my email is {email}",
    "My number is {phone}",
    "The card I used is {card}",
    "It's {name}, the account is under that name.",
    "It started yesterday evening.",
    "I already tried restarting it twice.",
    "Yes, same as always, nothing changed on my side.",
)
CUSTOMER_DETAIL_KINDS = ("email", "phone", "card", "name", "none", "none", "none")
AGENT_ACTION = (
    (
        "I'm sorry, I need to escalate this to our specialist team.",
        "Unfortunately I can't change that from here, you'll get an email within 48 hours.",
        "I've logged a ticket, but I can't promise a date.",
    ),
    (
        "Thanks, one moment while I check your account.",
        "I can see the issue on our side, give me a minute.",
        "Let me put you on a short hold while I check.",
    ),
    (
        "Done! I've fixed that for you and sent a confirmation.",
        "All sorted, the refund is on its way.",
        "I've updated your account, you're good to go.",
    ),
)
CUSTOMER_CLOSING = (
    (
        "This is useless, I'll call instead.",
        "Still broken. Really frustrating and disappointing.",
        "Forget it, terrible service.",
    ),
    ("Ok.", "I'll wait for the email then.", "ok.", "Bye."),
    (
        "Perfect, thank you so much!",
        "That's great, thanks {agent}!",
        "Brilliant, you've been really helpful :)",
    ),
)
AGENT_CLOSING = (
    "Is there anything else I can help you with today?",
    "Thanks for chatting with {brand}, {first}!",
    "Have a good day, and thanks for your patience.",
)

SUBJECTS = (
    ("Charged twice", "Refund request", "Invoice question, again", 'Fee on my "paid" bill'),
    ("App not working", "Service down", "Can't log in", "Error at checkout"),
    ("Change of address", "Plan change", "Account locked", "Update my details"),
    ("Order not received", "Where is my delivery?", "Wrong address, please help", "Missing item"),
    ("Cancel my account", "Cancellation request", "Exit fee?", "Close my account"),
    ("Question", "Feedback", "Opening hours", "Complaint"),
)
EMAIL_GREETING = ("Hello,", "Hi team,", "Dear {brand},", "Hi,")
EMAIL_OPENING = (
    "{issue}.",
    "I'm writing because {issue}.",
    "As per my last email, {issue}.",
    "Ref. my account: {issue}.",
)
EMAIL_SIGNOFF = ("Thanks,\n{name}", "Regards, {name}", "Sent from my iPhone", "Cheers\n{first}", "{name}")
EMAIL_DETAIL = (
    ("This is unacceptable, I have contacted you three times already.", "Please sort this out urgently."),
    ("Could you please look into it?", "Let me know what you need from me."),
    ("Thanks in advance for your help.", "Much appreciated."),
)

SOCIAL = (
    (
        "@{handle} {issue}. Worst customer service ever!",
        "@{handle} still waiting... {issue}. Absolutely ridiculous!",
        "Hey @{handle}, {issue} and nobody answers. Disappointed.",
    ),
    ("@{handle} {issue}, any update?", "@{handle} quick question: {issue}?", "@{handle} {issue}. DM sent."),
    (
        "Thanks @{handle}, {agent} sorted it out in minutes. Great service!",
        "Shoutout to @{handle} support, super helpful today.",
        "@{handle} love the quick reply, problem solved, thank you!",
    ),
)
APP_REVIEW = (
    (
        "Keeps crashing since the last update. Useless!",
        "Terrible app, can't even log in.",
        "Slow, buggy, awful.",
    ),
    ("Does the job. Needs a dark mode.", "A few glitches here and there.", "Average app."),
    ("Love this app, easy to use and fast.", "Great app, everything works perfectly!", "Excellent, 5 stars."),
)
PRIVATE_PII = (
    "My account email is {email}.",
    "Number on the account is {phone}.",
    "My card {card} was charged.",
)

NPS_REASONS = (
    (
        "Too many outages, terrible support, awful billing.",
        "Billing mistakes every month, I'm fed up.",
        "Terrible experience with your call centre, still waiting for a refund.",
        "Unhelpful, rude staff, I keep getting passed around.",
    ),
    (
        "Ok overall, but prices keep going up.",
        "The app could be better.",
        "Average service, average support.",
        "Nothing to complain about, nothing special.",
    ),
    (
        "Reliable service and friendly staff.",
        "Great value for money, never had a problem.",
        "Support always sorts things out quickly, thank you!",
        'Excellent, I tell everyone "just go with them".',
    ),
)
