"""Stories: reports of one real-world meeting merged across articles, with a status that
follows the reports over time (docs/stories.md). Pure logic, no Kafka."""
from parley.logic.stories.batch import build_stories, story_records
from parley.logic.stories.book import Block, StoryBook
from parley.logic.stories.key import partition_key
from parley.logic.stories.records import CHANGE_KINDS, Report, Story, StoryChange
from parley.logic.stories.rules import MergeRules

__all__ = ["Block", "CHANGE_KINDS", "MergeRules", "Report", "Story", "StoryBook", "StoryChange",
           "build_stories", "partition_key", "story_records"]
